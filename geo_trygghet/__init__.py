"""geo_trygghet: hot spots, trygghetsvandringar and effect follow-up for Swedish
municipalities' local crime-prevention work."""

__version__ = "0.1.0"

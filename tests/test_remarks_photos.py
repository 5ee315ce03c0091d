"""Photos: EXIF GPS read, every metadata field stripped, shrunk, bad files refused."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from geo_trygghet.errors import InputError, PhotoError
from geo_trygghet.remarks import Actor, prepare_photo
from geo_trygghet.remarks.photos import gps_from_exif, has_metadata

ADMIN = Actor.system()


def jpeg_with_exif(
    size=(3000, 1500), *, lat=(58, 24, 38.88), lon=(15, 37, 17.04), refs=("N", "E"), orientation=1
):
    """A JPEG with camera make, orientation, a comment and a GPSInfo IFD, written by Pillow."""
    image = Image.new("RGB", size, (30, 120, 200))
    image.paste(
        (250, 250, 0), (0, 0, size[0] // 4, size[1] // 4)
    )  # a marker in the top-left corner
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    exif[0x0110] = "iPhone 15"  # Model
    exif[0x0112] = orientation
    if lat is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[3] = refs
        gps[2] = tuple(IFDRational(round(v * 100), 100) for v in lat)
        gps[4] = tuple(IFDRational(round(v * 100), 100) for v in lon)
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif, comment=b"Anna Anderssons telefon", quality=90)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("refs", "expected"),
    [
        (("N", "E"), (15.6214, 58.4108)),
        (("S", "W"), (-15.6214, -58.4108)),
        (("N", "W"), (-15.6214, 58.4108)),
    ],
)
def test_exif_gps_is_read_with_its_hemisphere(refs, expected):
    data = jpeg_with_exif(refs=refs)
    assert gps_from_exif(Image.open(io.BytesIO(data))) == pytest.approx(expected, abs=1e-6)
    photo = prepare_photo(data)
    assert (photo.lon, photo.lat) == pytest.approx(expected, abs=1e-6)


def test_every_metadata_field_is_stripped():
    data = jpeg_with_exif()
    assert has_metadata(data)
    assert b"Apple" in data and b"Anna Anderssons" in data
    photo = prepare_photo(data)
    stored = Image.open(io.BytesIO(photo.content))
    assert stored.format == "JPEG"
    assert len(stored.getexif()) == 0
    assert (
        "exif" not in stored.info
        and "icc_profile" not in stored.info
        and "comment" not in stored.info
    )
    assert not has_metadata(photo.content)
    for secret in (b"Apple", b"iPhone", b"Anna Anderssons", b"Exif", b"GPS"):
        assert secret not in photo.content


def test_shrunk_to_the_longest_side_keeping_aspect_and_orientation():
    photo = prepare_photo(jpeg_with_exif(size=(4000, 2000), orientation=6))  # phone held upright
    # rotated, then shrunk: the longest side at most 2048 px (and not needlessly small)
    assert 0.9 * 2048 <= photo.height <= 2048 and photo.width * 2 == photo.height
    stored = Image.open(io.BytesIO(photo.content))
    assert stored.size == (photo.width, photo.height)
    # orientation 6 = rotate 90° clockwise: the yellow top-left marker ends up top-right
    w = stored.width
    assert stored.getpixel((w - 20, 20))[2] < 100 and stored.getpixel((20, 20))[2] > 150
    png = io.BytesIO()
    Image.new("RGB", (3000, 1000), (9, 9, 9)).save(png, "PNG")
    assert (prepare_photo(png.getvalue()).width, prepare_photo(png.getvalue()).height) == (
        2048,
        683,
    )
    small = prepare_photo(jpeg_with_exif(size=(800, 600)))
    assert (small.width, small.height) == (800, 600)
    assert prepare_photo(jpeg_with_exif(size=(900, 300)), max_px=300).width == 300


def test_png_with_transparency_and_webp_are_accepted():
    png = io.BytesIO()
    Image.new("RGBA", (50, 40), (255, 0, 0, 0)).save(png, "PNG")
    photo = prepare_photo(png.getvalue())
    assert (photo.width, photo.height, photo.lon) == (50, 40, None)
    assert Image.open(io.BytesIO(photo.content)).getpixel((5, 5)) == pytest.approx(
        (255, 255, 255), abs=3
    )
    webp = io.BytesIO()
    Image.new("RGB", (60, 20), (0, 0, 255)).save(webp, "WEBP")
    assert prepare_photo(webp.getvalue()).width == 60


def _heic() -> bytes:
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100


def _gif() -> bytes:
    buf = io.BytesIO()
    Image.new("P", (10, 10)).save(buf, "GIF")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "kwargs", "match"),
    [
        (b"", {}, "empty"),
        (b"%PDF-1.4 not an image", {}, "not a readable image: send a JPEG, PNG or WebP"),
        (_heic(), {}, "HEIC/HEIF photos cannot be read: .*JPEG"),
        (_gif(), {}, "GIF images are not accepted"),
        (b"\xff\xd8" + b"x" * 2000, {"max_bytes": 1000}, "larger than"),
    ],
)
def test_bad_photos_are_refused_with_one_line(data, kwargs, match):
    with pytest.raises(PhotoError, match=match) as err:
        prepare_photo(data, **kwargs)
    assert "\n" not in str(err.value)


def test_service_uses_exif_position_and_stores_only_the_stripped_photo(service):
    walk = service.create_walk(ADMIN, "Foto")
    me = Actor.participant(walk.join_code)
    r = service.submit_remark(
        me, walk, str(uuid.uuid4()), "klotter", "Klotter på muren", photo=jpeg_with_exif()
    )
    assert r.position_source == "exif" and r.has_photo
    assert (r.lon, r.lat) == pytest.approx((15.6214, 58.4108), abs=1e-6)
    stored = service.get_photo(me, r.id)
    assert stored is not None and not has_metadata(stored) and b"Apple" not in stored
    # the phone's own position wins over EXIF
    r2 = service.submit_remark(me, walk, str(uuid.uuid4()), "klotter", "", lon=15.0, lat=58.0, accuracy_m=12,
                               photo=jpeg_with_exif())  # fmt: skip
    assert (r2.lon, r2.lat, r2.position_source) == (15.0, 58.0, "gps")
    no_gps = jpeg_with_exif(lat=None)
    with pytest.raises(InputError, match="no position"):
        service.submit_remark(me, walk, str(uuid.uuid4()), "klotter", "", photo=no_gps)
    with pytest.raises(PhotoError):
        service.submit_remark(
            me, walk, str(uuid.uuid4()), "klotter", "", lon=15.0, lat=58.0, photo=_heic()
        )
    assert [x.number for x in service.list_remarks(me, walk=walk)] == [1, 2]
    assert service.get_photo(ADMIN, service.submit_remark(me, walk, str(uuid.uuid4()), "annat", "", lon=15.0,
                                                          lat=58.0).id) is None  # fmt: skip


def test_a_photo_already_shrunk_and_clean_is_kept_as_it_is():
    """The phone form's photo (≤ 2048 px, no metadata) is stored byte for byte, without what follows its
    end; one with any metadata segment, or too large, goes through re-encoding."""
    buf = io.BytesIO()
    Image.new("RGB", (2048, 1536), (40, 90, 160)).save(buf, "JPEG", quality=85)
    clean = buf.getvalue()
    assert not has_metadata(clean)
    photo = prepare_photo(clean + b"trailing bytes")
    assert photo.content == clean and (photo.width, photo.height, photo.lon) == (2048, 1536, None)
    for marked in (jpeg_with_exif(size=(800, 600)), clean[:2] + b"\xff\xfe\x00\x07hello" + clean[2:]):
        stored = prepare_photo(marked).content
        assert stored != marked and not has_metadata(stored)
    big = io.BytesIO()
    Image.new("RGB", (3000, 1000), (9, 9, 9)).save(big, "JPEG")
    assert prepare_photo(big.getvalue()).width == 2048
    with pytest.raises(PhotoError, match="not a readable image"):
        prepare_photo(clean[: len(clean) // 2])  # cut off: no end, not kept

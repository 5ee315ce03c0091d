from geo_trygghet.cli import main

raise SystemExit(main())

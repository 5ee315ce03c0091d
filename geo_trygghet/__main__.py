from geo_trygghet.cli import console

console()

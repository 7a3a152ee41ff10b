#!/usr/bin/python3
"""Writes the image fixtures that Go cannot encode, and what Pillow reads
from them (../image_fixtures.json), for the decoding tests:

  ../lossless.webp  4×3 RGBA, lossless: exact pixel values, alpha dropped
  ../lossy.webp     16×16 RGB of four solid blocks, lossy (decoded as YCbCr)
  ../cmyk.jpg       16×16 CMYK JPEG (Adobe, inverted, as Photoshop writes
                    them): four 8×8 blocks of known inks

Run from this folder with /usr/bin/python3 (Pillow 9.4):
    /usr/bin/python3 image_fixtures.py
"""
import json

from PIL import Image

out = {}

# Lossless WebP: every pixel distinct, some transparent.
rgba = [
    (255, 0, 0, 255), (0, 255, 0, 255), (0, 0, 255, 255), (10, 20, 30, 255),
    (200, 100, 50, 128), (1, 2, 3, 0), (255, 255, 255, 255), (0, 0, 0, 255),
    (90, 180, 45, 255), (128, 128, 128, 64), (33, 66, 99, 255), (250, 5, 125, 255),
]
im = Image.new("RGBA", (4, 3))
im.putdata(rgba)
im.save("../lossless.webp", lossless=True, exact=True)
back = Image.open("../lossless.webp")
out["lossless.webp"] = dict(mode=back.mode, size=back.size, rgb=[list(p) for p in back.convert("RGB").getdata()])

# Lossy WebP: four 8×8 blocks; their centres are far enough from the edges
# that chroma upsampling does not matter.
blocks = [(40, 160, 220), (250, 30, 20), (20, 200, 40), (120, 60, 180)]
im = Image.new("RGB", (16, 16))
for k, c in enumerate(blocks):
    im.paste(c, (8 * (k % 2), 8 * (k // 2), 8 * (k % 2) + 8, 8 * (k // 2) + 8))
im.save("../lossy.webp", quality=95)
back = Image.open("../lossy.webp")
out["lossy.webp"] = dict(mode=back.mode, size=back.size,
                         rgb=[list(back.convert("RGB").getpixel((8 * (k % 2) + 4, 8 * (k // 2) + 4))) for k in range(4)])

inks = [(0, 0, 0, 0), (255, 0, 0, 0), (100, 0, 0, 50), (10, 200, 30, 7)]
im = Image.new("CMYK", (16, 16))
for k, ink in enumerate(inks):
    x0, y0 = 8 * (k % 2), 8 * (k // 2)
    for y in range(y0, y0 + 8):
        for x in range(x0, x0 + 8):
            im.putpixel((x, y), ink)
im.save("../cmyk.jpg", quality=100, subsampling=0)
back = Image.open("../cmyk.jpg")
out["cmyk.jpg"] = dict(
    mode=back.mode, size=back.size, inks=inks,
    # Block centres, as Pillow decodes and converts them.
    rgb=[list(back.convert("RGB").getpixel((8 * (k % 2) + 4, 8 * (k // 2) + 4))) for k in range(4)],
    exact=[list(Image.new("CMYK", (1, 1), ink).convert("RGB").getpixel((0, 0))) for ink in inks],
)

with open("../image_fixtures.json", "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out))

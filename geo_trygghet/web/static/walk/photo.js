/* Photos on the phone: read the GPS position of the original, then shrink it before it is queued.
 *
 * The shrunk JPEG is drawn anew on a canvas, so none of the original's metadata (EXIF, GPS,
 * maker) leaves the phone; its GPS position is read here first, to fill a missing position.
 * The server strips and shrinks again whatever it gets.
 */
(function () {
  "use strict";
  const GT = (window.GT = window.GT || {});
  const MAX_PX = 2048, QUALITY = 0.85;

  /* {lat, lon} from a JPEG's EXIF GPS block, or null. */
  function gpsFromJpeg(buffer) {
    const view = new DataView(buffer);
    if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return null;
    let offset = 2;
    while (offset + 4 <= view.byteLength) {
      const marker = view.getUint16(offset);
      if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null;
      const length = view.getUint16(offset + 2);
      if (marker === 0xffe1 && view.getUint32(offset + 4) === 0x45786966) { // "Exif"
        return gpsFromTiff(view, offset + 10);
      }
      offset += 2 + length;
    }
    return null;
  }

  function gpsFromTiff(view, tiff) {
    try {
      const little = view.getUint16(tiff) === 0x4949;
      const u16 = function (at) { return view.getUint16(tiff + at, little); };
      const u32 = function (at) { return view.getUint32(tiff + at, little); };
      const ifd0 = u32(4);
      let gpsAt = 0;
      for (let i = 0, n = u16(ifd0); i < n; i++) {
        const entry = ifd0 + 2 + i * 12;
        if (u16(entry) === 0x8825) gpsAt = u32(entry + 8);
      }
      if (!gpsAt) return null;
      const tags = {};
      for (let i = 0, n = u16(gpsAt); i < n; i++) {
        const entry = gpsAt + 2 + i * 12;
        const tag = u16(entry), type = u16(entry + 2), count = u32(entry + 4);
        if ((tag === 1 || tag === 3) && type === 2) tags[tag] = String.fromCharCode(view.getUint8(tiff + entry + 8));
        if ((tag === 2 || tag === 4) && type === 5 && count === 3) {
          const at = u32(entry + 8), parts = [];
          for (let k = 0; k < 3; k++) {
            const den = u32(at + k * 8 + 4);
            parts.push(den ? u32(at + k * 8) / den : 0);
          }
          tags[tag] = parts[0] + parts[1] / 60 + parts[2] / 3600;
        }
      }
      if (tags[2] === undefined || tags[4] === undefined) return null;
      const lat = tags[1] === "S" ? -tags[2] : tags[2];
      const lon = tags[3] === "W" ? -tags[4] : tags[4];
      if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180) || (lat === 0 && lon === 0)) return null;
      return { lat: lat, lon: lon };
    } catch (e) {
      return null; // a broken EXIF block is common: no position from it
    }
  }

  function decode(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () { return decodeWithImg(file); });
    }
    return decodeWithImg(file);
  }

  function decodeWithImg(file) {
    return new Promise(function (resolve, reject) {
      const url = URL.createObjectURL(file);
      const img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("not an image")); };
      img.src = url;
    });
  }

  /* Shrink to MAX_PX on the longest side, as a JPEG Blob without any metadata. */
  function shrink(file) {
    return decode(file).then(function (image) {
      const w = image.width, h = image.height;
      if (!w || !h) throw new Error("not an image");
      const scale = Math.min(1, MAX_PX / Math.max(w, h));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
      if (image.close) image.close();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { if (blob) resolve(blob); else reject(new Error("no JPEG")); }, "image/jpeg", QUALITY);
      });
    });
  }

  /* {blob, gps} for a chosen file; rejects with "heic" / "image" for files that cannot be used. */
  GT.photo = {
    prepare: function (file) {
      const name = (file.name || "").toLowerCase();
      if (/\.(heic|heif)$/.test(name) || /heic|heif/.test(file.type || "")) {
        return file.arrayBuffer().then(function () {
          return shrink(file).catch(function () { throw new Error("heic"); });
        }).then(function (blob) { return { blob: blob, gps: null }; });
      }
      return file.arrayBuffer().then(function (buffer) {
        const gps = gpsFromJpeg(buffer);
        return shrink(file).catch(function () { throw new Error("image"); })
          .then(function (blob) { return { blob: blob, gps: gps }; });
      });
    },
    gpsFromJpeg: gpsFromJpeg,
  };
})();

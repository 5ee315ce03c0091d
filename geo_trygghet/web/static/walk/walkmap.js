/* The map of the form (vendored Leaflet): the walk's numbered remarks, this phone's unsent ones,
 * the place chosen for the new remark; a tap on the map chooses the place. Marker labels are
 * set as text, never as HTML. Works without tiles (offline): the markers still draw.
 */
(function () {
  "use strict";
  const GT = (window.GT = window.GT || {});
  const SWEDEN = [[55.3, 11.0], [69.1, 24.2]];
  let map = null, layers = null, choice = null, accuracy = null, pending = [];

  function icon(label, className) {
    const el = document.createElement("div");
    el.className = "gt-num " + (className || "");
    el.textContent = label;
    return L.divIcon({ html: el, className: "gt-icon", iconSize: [28, 28], iconAnchor: [14, 14] });
  }

  function pinIcon() {
    const el = document.createElement("div");
    el.className = "gt-pin";
    return L.divIcon({ html: el, className: "gt-icon", iconSize: [22, 22], iconAnchor: [11, 11] });
  }

  GT.walkmap = {
    /* Draw the map in `element` once Leaflet is there; `onTap(lat, lon)` on a tap. */
    init: function (element, onTap) {
      if (map || !window.L) return !!map;
      map = L.map(element, { zoomControl: true, attributionControl: true, tap: true });
      L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
        maxZoom: 19, attribution: "© OpenStreetMap",
      }).addTo(map);
      layers = L.layerGroup().addTo(map);
      map.fitBounds(SWEDEN);
      map.on("click", function (e) { onTap(e.latlng.lat, e.latlng.lng); });
      pending.forEach(function (fn) { fn(); });
      pending = [];
      return true;
    },
    ready: function () { return !!map; },
    /* remarks: [{number, lat, lon, open, title}], own: [{lat, lon, title}] */
    show: function (remarks, own, area) {
      const draw = function () {
        layers.clearLayers();
        const points = [];
        remarks.forEach(function (r) {
          L.marker([r.lat, r.lon], { icon: icon(String(r.number), r.open ? "" : "closed"), title: r.title,
                                     keyboard: false }).addTo(layers);
          points.push([r.lat, r.lon]);
        });
        own.forEach(function (r) {
          L.marker([r.lat, r.lon], { icon: icon("•", "own"), title: r.title, keyboard: false }).addTo(layers);
          points.push([r.lat, r.lon]);
        });
        if (choice) return;
        if (points.length) map.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: 17 });
        else if (area) map.fitBounds(L.geoJSON(area).getBounds(), { maxZoom: 17 });
      };
      if (map) draw(); else pending.push(draw);
    },
    /* The chosen place (a pin, with the GPS accuracy as a circle), or none. */
    choose: function (lat, lon, accuracyM) {
      const draw = function () {
        if (choice) { map.removeLayer(choice); choice = null; }
        if (accuracy) { map.removeLayer(accuracy); accuracy = null; }
        if (lat === null || lat === undefined) return;
        choice = L.marker([lat, lon], { icon: pinIcon(), keyboard: false, interactive: false }).addTo(map);
        if (accuracyM) {
          accuracy = L.circle([lat, lon], { radius: accuracyM, weight: 1, fillOpacity: 0.1, interactive: false })
            .addTo(map);
        }
        map.setView([lat, lon], Math.max(map.getZoom(), 17));
      };
      if (map) draw(); else pending.push(draw);
    },
  };
})();

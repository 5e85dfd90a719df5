// Converts Natural Earth 1:110m countries (TopoJSON from the npm package world-atlas) into the compact file the app
// carries in its resources: each country as polygons of [lon, lat] rounded to 0.01°, plus the land outline.
// Run once when the source changes; the output is committed. See resources/README.md.
//
//   cd resources/tools && npm ci && node convert-world-map.mjs ../world-110m.json

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';

const require = createRequire(import.meta.url);
const output = process.argv[2];
if (!output) {
    console.error('usage: node convert-world-map.mjs OUTPUT.json');
    process.exit(2);
}

const atlasVersion = require('world-atlas/package.json').version;
const topology = JSON.parse(readFileSync(require.resolve('world-atlas/countries-110m.json'), 'utf8'));

const round = (v) => {
    const r = Math.round(v * 100) / 100;
    return Object.is(r, -0) ? 0 : r;
};

const crossings = (ring) => ring.reduce((n, p, i) => n + (i > 0 && Math.abs(p[0] - ring[i - 1][0]) > 180 ? 1 : 0), 0);

// Natural Earth cuts most polygons at the antimeridian, but a few rings still cross it (Vanua Levu in Fiji; two
// parts of Russia whose points on ±180° got the other sign in TopoJSON's quantisation), and Antarctica's ring goes
// round the south pole. Drawn naively on a flat map those become lines across the whole world. Returns the pieces of
// the ring, each within [-180, 180].
function cutAtAntimeridian(ring) {
    const count = crossings(ring);
    if (count === 0)
        return [ring];
    if (count % 2 === 1) {
        // The ring encloses a pole: close it along the map's edge through that pole.
        const pole = ring.reduce((sum, [, lat]) => sum + lat, 0) < 0 ? -90 : 90;
        const out = [];
        for (let i = 0; i < ring.length; ++i) {
            if (i > 0 && Math.abs(ring[i][0] - ring[i - 1][0]) > 180) {
                const from = Math.sign(ring[i - 1][0]) * 180;
                out.push([from, ring[i - 1][1]], [from, pole], [-from, pole], [-from, ring[i][1]]);
            }
            out.push(ring[i]);
        }
        return [out];
    }
    // Make the longitudes continuous, then cut the ring at ±180° and move what lies beyond back onto the map.
    const unwrapped = [ring[0]];
    for (let i = 1; i < ring.length; ++i) {
        let lon = ring[i][0];
        const previous = unwrapped[i - 1][0];
        while (lon - previous > 180) lon -= 360;
        while (lon - previous < -180) lon += 360;
        unwrapped.push([lon, ring[i][1]]);
    }
    const pieces = [];
    for (const shift of [-360, 0, 360]) {
        // The part of the unwrapped ring inside [-180 - shift, 180 - shift], moved by shift.
        let piece = clip(unwrapped, -180 - shift, +1);
        piece = clip(piece, 180 - shift, -1).map(([lon, lat]) => [lon + shift, lat]);
        if (Math.abs(area(piece)) > 1e-6)
            pieces.push(piece);
    }
    return pieces;
}

// Sutherland–Hodgman against one vertical line: keeps the side where direction * (lon - at) >= 0.
function clip(ring, at, direction) {
    const inside = ([lon]) => direction * (lon - at) >= 0;
    const out = [];
    for (let i = 0; i < ring.length; ++i) {
        const a = ring[i];
        const b = ring[(i + 1) % ring.length];
        if (inside(a))
            out.push(a);
        if (inside(a) !== inside(b)) {
            const t = (at - a[0]) / (b[0] - a[0]);
            out.push([at, a[1] + t * (b[1] - a[1])]);
        }
    }
    return out;
}

// Even–odd point-in-polygon test on a flat ring.
function contains(flat, x, y) {
    let inside = false;
    for (let i = 0, j = flat.length - 2; i < flat.length; j = i, i += 2) {
        const [xi, yi, xj, yj] = [flat[i], flat[i + 1], flat[j], flat[j + 1]];
        if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi)
            inside = !inside;
    }
    return inside;
}

const area = (ring) => ring.reduce((sum, [x0, y0], i) => {
    const [x1, y1] = ring[(i + 1) % ring.length];
    return sum + x0 * y1 - x1 * y0;
}, 0) / 2;

// A ring as a flat [lon0, lat0, lon1, lat1, …] list, without the closing point and without points that rounding
// made equal to their predecessor. Rings that collapse below a triangle are dropped.
function flatRing(ring) {
    const out = [];
    for (const [lon, lat] of ring) {
        const x = round(lon);
        const y = round(lat);
        const n = out.length;
        if (n >= 2 && out[n - 2] === x && out[n - 1] === y)
            continue;
        out.push(x, y);
    }
    if (out.length >= 4 && out[0] === out[out.length - 2] && out[1] === out[out.length - 1])
        out.length -= 2;
    for (let i = 2; i < out.length; i += 2) {
        // The 1:110m data is cut at the antimeridian; a jump across it would draw a line through the whole map.
        // (An edge along a pole, which closes Antarctica, is fine: the pole is a line on the map.)
        if (Math.abs(out[i] - out[i - 2]) > 180 && !(Math.abs(out[i + 1]) === 90 && out[i + 1] === out[i - 1]))
            throw new Error(`ring crosses the antimeridian near ${out[i]},${out[i + 1]}`);
    }
    return out.length >= 6 ? out : null;
}

function polygons(geometry) {
    if (!geometry)
        return [];
    const list = geometry.type === 'Polygon' ? [geometry.coordinates]
        : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
    const result = [];
    for (const [outer, ...holes] of list) {
        const flatHoles = holes.map((hole) => {
            if (crossings(hole) !== 0)
                throw new Error('a hole crosses the antimeridian');
            return flatRing(hole);
        }).filter((ring) => ring);
        const pieces = cutAtAntimeridian(outer).map(flatRing).filter((ring) => ring); // vanished at this precision?
        // Each hole goes with the piece it lies in.
        for (const piece of pieces)
            result.push([piece, ...flatHoles.filter((hole) => pieces.length === 1 || contains(piece, hole[0], hole[1]))]);
    }
    return result;
}

const countries = feature(topology, topology.objects.countries).features
    .map((f) => ({ id: f.id ?? '', name: f.properties.name, polygons: polygons(f.geometry) }))
    .filter((c) => c.polygons.length > 0)
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
const land = feature(topology, topology.objects.land).features.flatMap((f) => polygons(f.geometry));

// One country a line keeps the file readable and its diffs small.
const lines = [
    '{',
    `"source": ${JSON.stringify(`Natural Earth 1:110m Admin 0 countries (v4.1.0) via npm world-atlas ${atlasVersion} countries-110m.json; public domain. Made with Natural Earth.`)},`,
    `"format": ${JSON.stringify('Each ring is a flat list [lon0, lat0, lon1, lat1, ...] in degrees (WGS84), rounded to 0.01, not closed. A polygon is a list of rings: the outer ring, then holes. Generated by resources/tools/convert-world-map.mjs; do not edit.')},`,
    '"countries": [',
    countries.map((c) => JSON.stringify(c)).join(',\n'),
    '],',
    `"land": ${JSON.stringify(land)}`,
    '}',
    '',
];
writeFileSync(output, lines.join('\n'));
const points = (polys) => polys.reduce((n, p) => n + p.reduce((m, r) => m + r.length / 2, 0), 0);
console.log(`${output}: ${countries.length} countries (${countries.reduce((n, c) => n + points(c.polygons), 0)} points), `
    + `${land.length} land polygons (${points(land)} points)`);

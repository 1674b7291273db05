// Memory outside V8's heap (--max-old-space-size does not cover it):
// Buffer.alloc in 64 MiB steps up to 2 GiB, each one touched.
const keep = [];
let mb = 0;
for (; mb < 2048; mb += 64) {
  keep.push(Buffer.alloc(64 << 20, 1));
  process.stderr.write("allocated " + (mb + 64) + " MB\n");
}
console.log("ESCAPED: " + mb + " MB");

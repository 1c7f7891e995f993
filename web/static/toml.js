// Reading and writing one number in the config's TOML text, keeping the
// rest of the text (comments, order, spacing) as the user wrote it: the
// sliders edit the config in the editor, so what is exported or linked is
// always what runs.

// The blocks of `text`: [{name, header, end}] for each `[name]` or
// `[[name]]` header (line indices; `end` is one past the block's last line).
function blocks(lines) {
  const out = [];
  lines.forEach((line, i) => {
    const m = line.match(/^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?$/);
    if (m) {
      if (out.length) out[out.length - 1].end = i;
      out.push({ name: m[1], header: i, end: lines.length });
    }
  });
  return out;
}

function keyLine(key) {
  return new RegExp(`^(\\s*${key}\\s*=\\s*)([^#]*?)(\\s*(#.*)?)$`);
}

// The value of `key` in the first block `table` (a number, a string
// without its quotes, or undefined when it is not there).
export function getKey(text, table, key) {
  const lines = text.split("\n");
  for (const b of blocks(lines).filter((b) => b.name === table)) {
    for (let i = b.header + 1; i < b.end; i++) {
      const m = lines[i].match(keyLine(key));
      if (m) {
        const raw = m[2].trim();
        const n = Number(raw);
        return Number.isNaN(n) ? raw.replace(/^"(.*)"$/, "$1") : n;
      }
    }
  }
  return undefined;
}

// `text` with `key = value` in every block `table` (`[[species]]` has one
// per species): the value replaced where the key is written, the key added
// under the header where it is not, and the table appended when the text
// has none.
export function setKey(text, table, key, value) {
  const lines = text.split("\n");
  const found = blocks(lines).filter((b) => b.name === table);
  if (!found.length) {
    return `${text.replace(/\n*$/, "")}\n\n[${table}]\n${key} = ${value}\n`;
  }
  // From the last block up, so that inserted lines do not move the others.
  for (const b of found.reverse()) {
    let done = false;
    for (let i = b.header + 1; i < b.end; i++) {
      const m = lines[i].match(keyLine(key));
      if (m) {
        lines[i] = m[1] + value + m[3];
        done = true;
        break;
      }
    }
    if (!done) lines.splice(b.header + 1, 0, `${key} = ${value}`);
  }
  return lines.join("\n");
}

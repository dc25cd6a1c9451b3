// Writes static/css/plotly-global.css: the rules plotly.js would otherwise inject at run time as
// an inline <style id="plotly.js-style-global">, which a strict content security policy blocks.
// With an element of that id and class "no-inline-styles" on the page, plotly.js injects nothing.
//
//   node assets/plotly-global-css.js .venv/lib/python3.11/site-packages/plotly/package_data/plotly.min.js \
//     > static/css/plotly-global.css
const fs = require("fs");

const src = fs.readFileSync(process.argv[2], "utf8");
const version = /plotly\.js (v[0-9.]+)/.exec(src)[1];
const end = src.indexOf("for(bV in I0e)R0e=bV");
if (end < 0) {
  throw new Error("plotly.js has changed how it injects its styles: look again at addStyleRule");
}
const start = src.lastIndexOf("I0e={", end);
// The rules are a plain object literal in plotly's own bundle.
const rules = eval("(" + src.slice(start + 4, src.lastIndexOf("}", end) + 1) + ")");
let out = `/* The rules plotly.js ${version} would inject as <style id="plotly.js-style-global">, served as a\n`;
out += "   stylesheet so that the content security policy needs no inline style. Made by\n";
out += "   assets/plotly-global-css.js from the installed plotly.min.js (tests/test_csp.py checks the version). */\n";
for (const key in rules) {
  const selector = key
    .replace(/^,/, " ,")
    .replace(/X/g, ".js-plotly-plot .plotly")
    .replace(/Y/g, ".plotly-notifier");
  out += `${selector}{${rules[key]}}\n`;
}
process.stdout.write(out);

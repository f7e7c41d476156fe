// node-fpgrowth (npm) on an integer basket file: prints "itemsets seconds" (reading included, as for cartwise).
const fs = require('fs');
const { FPGrowth } = require('node-fpgrowth');
const [file, minsup] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
const baskets = fs.readFileSync(file, 'utf8').split('\n').filter(l => l.trim()).map(l => l.trim().split(/\s+/).map(Number));
new FPGrowth(parseFloat(minsup)).exec(baskets).then(sets => {
  console.log(sets.length, Number(process.hrtime.bigint() - t0) / 1e9);
});

// Parse a GEXF file with graphology-gexf as Gephi Lite does and print graphology's serialised graph (graph.export()).
//   node tests/js/gexf_export.js graph.gexf
"use strict";
const fs = require("fs");
const Graph = require("graphology");
const gexf = require("graphology-gexf");

const graph = gexf.parse(Graph, fs.readFileSync(process.argv[2], "utf-8"),
                         { allowUndeclaredAttributes: true, addMissingNodes: true });
process.stdout.write(JSON.stringify(graph.export()));

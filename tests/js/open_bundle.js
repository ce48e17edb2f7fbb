// Open every graph file of an export bundle with the parsers Gephi Lite and sigma.js use, and print what they saw.
//   node tests/js/open_bundle.js BUNDLE_DIR  ->  JSON on stdout: per format, the nodes and edges as graphology holds them
// Gephi Lite's import calls (src/core/graph/import): gexf.parse(Graph, text, {allowUndeclaredAttributes: true,
// addMissingNodes: true}) and graphml.parse(Graph, text, {addMissingNodes: true}); graphology JSON is Graph.from(data).
"use strict";
const fs = require("fs");
const path = require("path");
const Graph = require("graphology");
const gexf = require("graphology-gexf");
const graphml = require("graphology-graphml");
const cytoscape = require("cytoscape");

const dir = process.argv[2];
const read = (name) => fs.readFileSync(path.join(dir, name), "utf-8");

function summary(graph) {
  const nodes = {};
  graph.forEachNode((key, a) => { nodes[key] = a; });
  const edges = [];
  graph.forEachEdge((key, a, source, target) => { edges.push({ key, source, target, attributes: a }); });
  return { type: graph.type, multi: graph.multi, order: graph.order, size: graph.size,
           attributes: graph.getAttributes(), nodes, edges };
}

const out = {};
out.gexf = summary(gexf.parse(Graph, read("graph.gexf"), { allowUndeclaredAttributes: true, addMissingNodes: true }));
out.graphml = summary(graphml.parse(Graph, read("graph.graphml"), { addMissingNodes: true }));
out.graphology = summary(Graph.from(JSON.parse(read("graph.graphology.json"))));

const cy = cytoscape({ headless: true, styleEnabled: true });
cy.json(JSON.parse(read("graph.cyjs")));
const cyNodes = {};
cy.nodes().forEach((n) => { cyNodes[n.id()] = { data: n.data(), position: n.position(), isNode: n.isNode() }; });
const cyEdges = cy.edges().map((e) => ({ data: e.data(), isEdge: e.isEdge() }));
out.cytoscape = { order: cy.nodes().length, size: cy.edges().length, nodes: cyNodes, edges: cyEdges };

cy.destroy();
// cytoscape keeps timers alive; exit once stdout is flushed
process.stdout.write(JSON.stringify(out), () => process.exit(0));

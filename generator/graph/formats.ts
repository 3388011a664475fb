/** The formats of `meshrender graph`, apart from the command so that the command line lists them without loading Graphviz. */
export const GRAPH_FORMATS = ['svg', 'mermaid', 'dot'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

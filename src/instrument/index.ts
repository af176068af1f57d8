/** The instrumentation: Babel transform, file filter, Babel plugin. */
export { instrument, type InstrumentOptions, type InstrumentResult, type SourceMapObject } from './instrument';
export { shouldInstrument, type FilterOptions } from './filter';
export { programVisitor, instrumentVisitor, InstrumentState, type ProgramVisitor, type VisitorOptions } from './visitor';
export { isInstrumented } from './prelude';
export { default as asyncraceBabelPlugin, type AsyncraceBabelOptions } from './babel-plugin';

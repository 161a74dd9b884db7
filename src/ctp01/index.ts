export * from './messages.js';
export * from './parser.js';
export * from './serializer.js';
export * from './time.js';
export * from './auth.js';
export * from './line-splitter.js';

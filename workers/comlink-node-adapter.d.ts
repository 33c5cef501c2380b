// comlink ships node-adapter.mjs with a node-adapter.d.ts beside it, but a
// `.mjs` import looks for `.d.mts`; point the runtime path at the shipped types.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  export { default } from 'comlink/dist/esm/node-adapter';
}

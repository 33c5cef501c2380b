export { LibraryView } from './LibraryView';
export { DropZone } from './DropZone';
export { StorageMeter } from './StorageMeter';

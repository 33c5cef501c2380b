export { CalibrationsView } from './CalibrationsView';

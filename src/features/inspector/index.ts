export { InspectorView } from './InspectorView';

export { RecipesView } from './RecipesView';

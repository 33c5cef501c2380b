/** The recipes view (being built: see issue 7). */
export function RecipesView() {
  return <div className="view-recipes" />;
}

/**
 * Which of the model's classes each class of the evaluated dataset is, matched by name, so that
 * accuracy means something for a model that was not trained on this dataset's class list (a
 * folder's class folders against the names of --labels). Names must be equal, character for
 * character: a near miss ("cat" against "Cat") is not guessed at, since a wrong guess would
 * give a plausible but false accuracy.
 */

/** Either the model's class for each dataset label, or why there is none. */
export type ClassMatch = { modelClassOfLabel: number[] } | { unknown: string };

/** Names listed in full in a message; more are counted. */
const LISTED_NAMES = 5;

/**
 * @param datasetNames the dataset's class names, by label
 * @param modelNames the model's class names, by output index; undefined when the model's classes
 *        have no names (then nothing can be matched)
 */
export function matchClasses(datasetNames: readonly string[], modelNames: readonly string[] | undefined): ClassMatch {
  if (modelNames === undefined)
    return { unknown: "the model's classes have no names to match the dataset's classes to" };
  const indexOf = new Map(modelNames.map((name, index) => [name, index]));
  const missing = datasetNames.filter((name) => !indexOf.has(name));
  if (missing.length > 0) {
    const shown = missing.slice(0, LISTED_NAMES).map((name) => JSON.stringify(name));
    const more = missing.length > LISTED_NAMES ? ` and ${missing.length - LISTED_NAMES} more` : '';
    const verb = missing.length === 1 ? 'is' : 'are';
    return {
      unknown: `the dataset's class${missing.length === 1 ? '' : 'es'} ${shown.join(', ')}${more} ${verb} not among the model's classes`,
    };
  }
  return { modelClassOfLabel: datasetNames.map((name) => indexOf.get(name) as number) };
}

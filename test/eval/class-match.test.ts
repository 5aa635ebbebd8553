import { describe, expect, it } from 'vitest';
import { matchClasses } from '../../src/eval/class-match.js';

describe('matchClasses', () => {
  it("maps each dataset label to the model's class of the same name, whatever the order", () => {
    expect(matchClasses(['cat', 'dog'], ['dog', 'bird', 'cat'])).toEqual({ modelClassOfLabel: [2, 0] });
  });

  it('is unknown when the model has no names', () => {
    expect(matchClasses(['0', '1'], undefined)).toEqual({
      unknown: "the model's classes have no names to match the dataset's classes to",
    });
  });

  it('is unknown when a dataset class is missing, naming the missing ones (exact names only)', () => {
    expect(matchClasses(['cat', 'Dog', 'fox'], ['cat', 'dog'])).toEqual({
      unknown: 'the dataset\'s classes "Dog", "fox" are not among the model\'s classes',
    });
    expect(matchClasses(['a', 'b'], ['a'])).toEqual({
      unknown: 'the dataset\'s class "b" is not among the model\'s classes',
    });
    const many = ['1', '2', '3', '4', '5', '6', '7'];
    expect(matchClasses(many, ['x'])).toEqual({
      unknown: 'the dataset\'s classes "1", "2", "3", "4", "5" and 2 more are not among the model\'s classes',
    });
  });
});

// Given/when/then for a decider (after Emmett's DeciderSpecification): given the events a stream
// holds (or a state built directly), when a command is decided, then exactly these events, or this
// named rejection. A rejection is a value, so a test asserts its code, never a throw; a failure
// shows the decision that came instead.
import { expect } from 'chai';

/** A decider as the tests see it: decide over a state, and the fold that builds the state. */
export interface DeciderUnderTest<Command, Event, State, Code extends string> {
  decide(command: Command, state: State): { events: Event[] } | { rejected: Code; detail: string };
  evolve(state: State, event: Event, version: number, at: string): State;
  initialState(): State;
  /** The state's stream version, so events appended to a built state get the next versions. */
  versionOf(state: State): number;
  /** The timestamp given events are folded at (deciders take time as data, never from a clock). */
  at: string;
}

export interface When<Event, Code extends string> {
  /** Accepted with exactly these events, in this order. */
  then(events: Event[]): void;
  /** Refused with this code; the detail is free text and is not checked. */
  thenRejects(code: Code): void;
}

export interface Given<Command, Event, State, Code extends string> {
  /** The state the events fold to. */
  state: State;
  when(command: Command): When<Event, Code>;
  /** Decides the command, fails the test on a rejection, and folds the events into the next given. */
  accepting(command: Command): Given<Command, Event, State, Code>;
}

export interface DeciderSpec<Command, Event, State, Code extends string> {
  /** The stream holds these events, folded from the initial state. */
  given(...events: Event[]): Given<Command, Event, State, Code>;
  /** A state built directly (folding thousands of events to reach it would be slow), plus these events. */
  givenState(state: State, ...events: Event[]): Given<Command, Event, State, Code>;
}

/**
 * Folds events onto a state with versions following the state's own; for the process managers
 * (the transfer decider) whose decisions are not a decide(command) → events | rejection.
 */
export function foldEvents<Event, State>(
  evolve: (state: State, event: Event, version: number, at: string) => State,
  versionOf: (state: State) => number,
  state: State,
  events: readonly Event[],
  at: string,
): State {
  return events.reduce((current, event) => evolve(current, event, versionOf(current) + 1, at), state);
}

export function deciderSpec<Command, Event, State, Code extends string>(
  decider: DeciderUnderTest<Command, Event, State, Code>,
): DeciderSpec<Command, Event, State, Code> {
  const fold = (state: State, events: Event[]): State => foldEvents(decider.evolve, decider.versionOf, state, events, decider.at);
  const givenState = (start: State, ...events: Event[]): Given<Command, Event, State, Code> => {
    const state = fold(start, events);
    return {
      state,
      when: (command) => {
        const decision = decider.decide(command, state);
        return {
          then: (events) => expect(decision).to.deep.equal({ events }),
          thenRejects: (code) => expect('rejected' in decision ? decision.rejected : decision).to.equal(code),
        };
      },
      accepting: (command) => {
        const decision = decider.decide(command, state);
        if ('rejected' in decision) expect.fail(`expected ${JSON.stringify(command)} to be accepted, got ${decision.rejected}: ${decision.detail}`);
        return givenState(state, ...decision.events);
      },
    };
  };
  return { given: (...events) => givenState(decider.initialState(), ...events), givenState };
}

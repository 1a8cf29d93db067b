/**
 * A tiny interpreter of Amazon States Language, enough to walk the state machines the CDK stack
 * synthesizes: Task (Parameters with `.$` paths, ResultPath, OutputPath, Retry, Catch), Pass, Fail
 * (Error/Cause or ErrorPath/CausePath), Succeed, Next/End. Tasks are handed to a test-side invoker (the
 * real Lambda handler in process, a recorder for SNS). Retry intervals are recorded, not slept. Errors
 * follow Step Functions: a thrown error's `name` is its error name, and the cause is the JSON Lambda
 * reports (`{"errorType","errorMessage"}`).
 */

type Json = Record<string, unknown>;

/** One state machine definition (ASL JSON). */
export interface AslDefinition {
  /** The first state. */
  StartAt: string;
  /** The states by name. */
  States: Record<string, Json>;
}

/** A task the interpreter hands to the invoker. */
export interface TaskCall {
  /** The state's name. */
  state: string;
  /** The task's Resource (`arn:aws:states:::lambda:invoke`). */
  resource: string;
  /** The resolved Parameters. */
  parameters: Json;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
}

/** An error a task failed with, as Step Functions names it. */
export class TaskFailure extends Error {
  constructor(
    readonly error: string,
    readonly errorCause: string,
  ) {
    super(`${error}: ${errorCause}`);
  }
}

/** How an execution ended. */
export interface ExecutionResult {
  /** Final status. */
  status: 'SUCCEEDED' | 'FAILED';
  /** Output of a succeeded execution. */
  output?: unknown;
  /** Error name of a failed execution. */
  error?: string;
  /** Cause of a failed execution. */
  cause?: string;
  /** The states entered, in order (a retried task appears once per attempt). */
  history: string[];
  /** The retries taken: state, error and the interval (seconds) Step Functions would wait. */
  retries: Array<{ state: string; error: string; intervalSeconds: number }>;
}

/** Options of an execution. */
export interface ExecutionOptions {
  /** The execution's name (`$$.Execution.Name`). */
  name: string;
  /** Runs one task; throws TaskFailure (or any error, named by its `name`) when the task fails. */
  invoke: (call: TaskCall) => Promise<unknown>;
  /** Upper bound on state transitions, against loops. */
  maxTransitions?: number;
}

/** Read a JSONPath of the dotted form (`$`, `$.a.b`, `$$.Execution.Name`). */
export function readPath(path: string, data: unknown, context: Json): unknown {
  const [root, rest] = path.startsWith('$$') ? [context as unknown, path.slice(2)] : [data, path.slice(1)];
  if (rest === '') return root;
  if (!rest.startsWith('.')) throw new Error(`unsupported JSONPath ${path}`);
  let value: unknown = root;
  for (const key of rest.slice(1).split('.')) {
    if (value === null || typeof value !== 'object' || !(key in value)) throw new TaskFailure('States.Runtime', `JSONPath ${path} matches nothing`);
    value = (value as Json)[key];
  }
  return value;
}

/** Resolve a Parameters/Message template: keys ending in `.$` read a path, others are copied (objects recursively). */
export function resolveTemplate(template: unknown, data: unknown, context: Json): unknown {
  if (Array.isArray(template)) return template.map((item) => resolveTemplate(item, data, context));
  if (template === null || typeof template !== 'object') return template;
  const out: Json = {};
  for (const [key, value] of Object.entries(template as Json)) {
    if (key.endsWith('.$')) {
      if (typeof value !== 'string' || value.startsWith('States.')) throw new Error(`unsupported dynamic value ${JSON.stringify(value)} (intrinsics are not interpreted)`);
      out[key.slice(0, -2)] = readPath(value, data, context);
    } else out[key] = resolveTemplate(value, data, context);
  }
  return out;
}

/** `data` with `value` placed at `path` (ResultPath semantics; null discards the value). */
function placeResult(data: unknown, path: string | null | undefined, value: unknown): unknown {
  if (path === null) return data;
  if (path === undefined || path === '$') return value;
  if (!path.startsWith('$.')) throw new Error(`unsupported ResultPath ${path}`);
  const copy = structuredClone(data ?? {}) as Json;
  const keys = path.slice(2).split('.');
  let node = copy;
  for (const key of keys.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Json;
  }
  node[keys.at(-1)!] = value;
  return copy;
}

/** The ASL error name and cause of a thrown error. */
function failureOf(err: unknown): TaskFailure {
  if (err instanceof TaskFailure) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  return new TaskFailure(e.name, JSON.stringify({ errorType: e.name, errorMessage: e.message }));
}

const matches = (errors: unknown, name: string): boolean =>
  Array.isArray(errors) && (errors.includes(name) || (errors.includes('States.ALL') && !name.startsWith('States.Runtime')));

/** Run `definition` on `input` to its end. */
export async function runExecution(definition: AslDefinition, input: unknown, options: ExecutionOptions): Promise<ExecutionResult> {
  const context: Json = { Execution: { Name: options.name, Id: `arn:aws:states:test:000000000000:execution:test:${options.name}`, Input: input } };
  const history: string[] = [];
  const retries: ExecutionResult['retries'] = [];
  let data: unknown = input;
  let name: string | undefined = definition.StartAt;
  for (let transitions = 0; name !== undefined; transitions++) {
    if (transitions > (options.maxTransitions ?? 100)) throw new Error('too many transitions');
    const state = definition.States[name];
    if (!state) throw new Error(`no state ${name}`);
    history.push(name);
    const type = state.Type as string;
    if (type === 'Fail') {
      const error = typeof state.ErrorPath === 'string' ? String(readPath(state.ErrorPath, data, context)) : (state.Error as string | undefined);
      const cause = typeof state.CausePath === 'string' ? String(readPath(state.CausePath, data, context)) : (state.Cause as string | undefined);
      return { status: 'FAILED', ...(error === undefined ? {} : { error }), ...(cause === undefined ? {} : { cause }), history, retries };
    }
    if (type === 'Succeed') return { status: 'SUCCEEDED', output: data, history, retries };
    if (type === 'Pass') {
      data = placeResult(data, state.ResultPath as string | null | undefined, 'Result' in state ? state.Result : data);
    } else if (type === 'Task') {
      const parameters = resolveTemplate(state.Parameters ?? {}, data, context) as Json;
      const attempts = new Map<number, number>();
      let result: unknown;
      let failure: TaskFailure | undefined;
      for (let attempt = 1; ; attempt++) {
        try {
          result = await options.invoke({ state: name, resource: state.Resource as string, parameters, attempt });
          failure = undefined;
          break;
        } catch (err) {
          failure = failureOf(err);
        }
        const retriers = (state.Retry ?? []) as Json[];
        const index = retriers.findIndex((r) => matches(r.ErrorEquals, failure!.error));
        if (index < 0) break;
        const retrier = retriers[index]!;
        const used = attempts.get(index) ?? 0;
        if (used >= ((retrier.MaxAttempts as number | undefined) ?? 3)) break;
        attempts.set(index, used + 1);
        const interval = ((retrier.IntervalSeconds as number | undefined) ?? 1) * ((retrier.BackoffRate as number | undefined) ?? 2) ** used;
        retries.push({ state: name, error: failure.error, intervalSeconds: interval });
        history.push(name);
      }
      if (failure) {
        const catcher = ((state.Catch ?? []) as Json[]).find((c) => matches(c.ErrorEquals, failure!.error));
        if (!catcher) return { status: 'FAILED', error: failure.error, cause: failure.errorCause, history, retries };
        data = placeResult(data, catcher.ResultPath as string | null | undefined, { Error: failure.error, Cause: failure.errorCause });
        name = catcher.Next as string;
        continue;
      }
      data = placeResult(data, state.ResultPath as string | null | undefined, result);
      if (typeof state.OutputPath === 'string') data = readPath(state.OutputPath, data, context);
    } else {
      throw new Error(`state type ${type} is not interpreted`);
    }
    if (state.End === true) return { status: 'SUCCEEDED', output: data, history, retries };
    const next = state.Next as string | undefined;
    if (next === undefined) throw new Error(`state ${name} has neither Next nor End`);
    name = next;
  }
  throw new Error('unreachable');
}

/**
 * The ASL JSON of a synthesized `AWS::StepFunctions::StateMachine`: its DefinitionString (a string or
 * an `Fn::Join`) with CloudFormation references rendered as `ref:<LogicalId>`, `arn:<LogicalId>` and
 * `aws` for the partition.
 */
export function definitionOf(stateMachine: Json): AslDefinition {
  const render = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const v = value as Json;
    if (v.Ref === 'AWS::Partition') return 'aws';
    if (typeof v.Ref === 'string') return `ref:${v.Ref}`;
    if (Array.isArray(v['Fn::GetAtt'])) return `arn:${String((v['Fn::GetAtt'] as unknown[])[0])}`;
    if (Array.isArray(v['Fn::Join'])) {
      const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
    throw new Error(`cannot render ${JSON.stringify(value)}`);
  };
  const properties = stateMachine.Properties as Json;
  return JSON.parse(render(properties.DefinitionString)) as AslDefinition;
}

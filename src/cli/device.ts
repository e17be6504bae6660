// One vocabulary for engines and devices across commands: --engine picks tfjs or torch, --device
// one of the engine's devices. --backend, the old name of a tfjs device, still works.
import { Option } from 'commander';
import { UsageError } from './errors.js';
import { notAChoice } from './choice.js';
import { DEVICES, deviceProblem, ENGINE_NAMES, type EngineName } from '../backends/engine.js';
import type { BackendChoice } from '../backends/tfjs/backend-choice.js';

/**
 * The device from --device (or the deprecated --backend, which names a tfjs backend), checked
 * against the engine; undefined when neither was given. With --resume the engine is the run's,
 * known only later, so the session checks it again there.
 */
export function resolveDevice(opts: { engine?: EngineName; device?: string; backend?: string }, flagEngine = opts.engine ?? 'tfjs'): string | undefined {
  if (opts.backend !== undefined && opts.device !== undefined) throw new UsageError('give --device, not both --device and --backend (--backend is its old name)');
  if (opts.backend !== undefined) {
    if (flagEngine !== 'tfjs') throw new UsageError(`--backend names a tfjs backend; with --engine ${flagEngine} use --device (${DEVICES[flagEngine].join(', ')})`);
  }
  const device = opts.device ?? opts.backend;
  if (device === undefined) return undefined;
  const problem = deviceProblem(flagEngine, device);
  if (problem) throw new UsageError(opts.backend !== undefined ? problem.replace(/^--device/, '--backend') : problem);
  return device;
}

/** The --device option of commands that evaluate with tfjs (eval, analyze, sweep). */
export const tfjsDeviceOption = () => new Option('--device <d>', `tfjs backend: ${DEVICES.tfjs.join(' | ')} (default auto)`);
/** --backend, kept working as the old name of --device, hidden from help. */
export const backendAliasOption = () => new Option('--backend <b>', 'deprecated: the old name of --device').hideHelp();

/** The tfjs device of a command that evaluates with tfjs (default auto). */
export function tfjsDevice(opts: { device?: string; backend?: string }): BackendChoice {
  return (resolveDevice({ ...opts, engine: 'tfjs' }) ?? 'auto') as BackendChoice;
}

/** --engine's parser: one of the engines, by name. */
export function engineName(v: string): EngineName {
  if (!(ENGINE_NAMES as readonly string[]).includes(v)) throw notAChoice(`--engine must be one of ${ENGINE_NAMES.join(', ')}, not '${v}'`, v, ENGINE_NAMES);
  return v as EngineName;
}

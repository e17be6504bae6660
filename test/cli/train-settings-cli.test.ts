import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy } from '../helpers.js';

const SPEC = 'let width = 16\nnetwork tiny {\n  input 28x28x1\n  flatten\n  dense width relu\n  highway dense relu gate_bias=-1\n  dense 10 softmax\n}\ntrain {\n  optimizer sgd momentum=0.8\n  lr 0.05 schedule=exponential gamma=0.9\n  batch 100\n  epochs 1\n}\n';

function setup() {
  const d = mkdtempSync(join(tmpdir(), 'hwy-settings-cli-'));
  writeFileSync(join(d, 'tiny.hwy'), SPEC);
  return { d, spec: join(d, 'tiny.hwy') };
}

describe('hwy train --set train.… and --print-config', () => {
  it('--print-config shows defaults, the spec and the overrides as a train section, and trains nothing', () => {
    const { d, spec } = setup();
    const out = join(d, 'run');
    const r = hwy(['train', spec, '--out', out, '--set', 'width=8', '--set', 'train.momentum=0.95', '--set', 'train.lr.schedule=cosine', '--set', 'train.lr.min_lr=0.001', '--set', 'data.augment=[translate]', '--batch', '50', '--print-config']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`# the configuration hwy train uses for ${spec} (network tiny) with --set width=8 --set train.momentum=0.95`);
    expect(r.stdout).toContain('  data mnist normalize=scale augment=[translate] validation=0.1\n');
    expect(r.stdout).toContain('  optimizer sgd momentum=0.95 nesterov=false\n');
    // the spec's rate stays; the schedule and its floor are the command line's, and the cosine
    // schedule has no decay factor, so the spec's gamma (kept in the config) is not shown
    expect(r.stdout).toContain('  lr 0.05 schedule=cosine min_lr=0.001\n');
    expect(r.stdout).not.toContain('gamma');
    expect(r.stdout).toContain('  batch 50\n  epochs 1\n  seed 1\n}');
    expect(existsSync(out)).toBe(false);

    // the text is a train section hwy reads back: the same config
    const back = join(d, 'back.hwy');
    writeFileSync(back, SPEC.slice(0, SPEC.indexOf('train {')) + r.stdout);
    const j1 = JSON.parse(hwy(['train', back, '--print-config', '--format', 'json']).stdout);
    const j2 = JSON.parse(hwy(['train', spec, '--set', 'train.momentum=0.95', '--set', 'train.lr.schedule=cosine', '--set', 'train.lr.min_lr=0.001', '--set', 'data.augment=[translate]', '--batch', '50', '--print-config', '--format', 'json']).stdout);
    // the same config, but for the gamma the cosine schedule ignores
    const unused = (c: { lr: object }) => ({ ...c, lr: { ...c.lr, gamma: undefined } });
    expect(unused(j1.config)).toEqual(unused(j2.config));
    expect(j2.settings).toEqual(['train.momentum=0.95', 'train.lr.schedule=cosine', 'train.lr.min_lr=0.001', 'data.augment=[translate]']);
    expect(j2.config.lr).toMatchObject({ value: 0.05, schedule: 'cosine', gamma: 0.9, minLr: 0.001 });

    // naming another optimizer drops the spec's sgd settings and takes the new one's defaults
    const adam = JSON.parse(hwy(['train', spec, '--set', 'train.optimizer=adamw', '--set', 'train.optimizer.weight_decay=0.1', '--print-config', '--format', 'json']).stdout);
    expect(adam.config.optimizer).toEqual({ name: 'adamw', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1 });

    // each schedule shows what it uses: the spec's exponential its gamma, multistep its gamma and steps, constant neither
    const lrLine = (args: string[]) => hwy(['train', spec, ...args, '--print-config']).stdout.split('\n').find((l) => l.startsWith('  lr '));
    expect(lrLine([])).toBe('  lr 0.05 schedule=exponential gamma=0.9');
    expect(lrLine(['--set', 'train.lr.schedule=multistep', '--set', 'train.lr.steps=[2, 4]'])).toBe('  lr 0.05 schedule=multistep gamma=0.9 steps=[2, 4]');
    expect(lrLine(['--set', 'train.lr.schedule=constant'])).toBe('  lr 0.05 schedule=constant');
  });

  it.each([
    [['--set', 'train.momentun=0.9'], "hwy: --set train.momentun=0.9: there is no training setting 'train.momentun'; did you mean 'train.momentum'?"],
    [['--set', 'train.momentum=1.5'], "hwy: --set train.momentum=1.5: 'momentum' must be below 1, not 1.5"],
    [['--set', 'train.beta1=0.5'], "hwy: --set train.beta1=0.5: 'beta1' is not a setting of sgd ('beta1' is a setting of adam and adamw; sgd takes momentum, nesterov)"],
    [['--set', 'train.optimizer=adagrad'], "hwy: --set train.optimizer=adagrad: unknown optimizer 'adagrad'"],
    [['--set', 'train.lr=fast'], "hwy: --set train.lr=fast: 'fast' is not defined (define it first: let fast = …)"],
    [['--set', 'train.batch=[1,'], "hwy: --set train.batch=[1,: '[1,' is not a value"],
    [['--set', 'train.momentum=0.9', '--set', 'train.optimizer.momentum=0.8'], "hwy: --set train.optimizer.momentum=0.8: train setting 'optimizer.momentum' is given twice (also by --set train.momentum=0.9)"],
    [['--set', 'train.batch=64', '--batch', '32'], 'hwy: --batch and --set train.batch=64 both set batch: give one of them'],
    [['--set', 'train.lr.warmup=2', '--set', 'train.warmup_steps=10'], "hwy: --set train.warmup_steps=10: give 'warmup' (epochs) or 'warmup_steps' (steps), not both"],
  ])('%j is refused in one line naming the flag, before anything trains', (args, message) => {
    const { d, spec } = setup();
    const r = hwy(['train', spec, '--out', join(d, 'run'), ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
    expect(existsSync(join(d, 'run'))).toBe(false);
  });

  it('commands that read only the network refuse training settings', () => {
    const { spec } = setup();
    const r = hwy(['summary', spec, '--set', 'train.batch=3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--set train.batch=3: training settings are given to hwy train and hwy export');
  });

  it('a run records its settings; a resume takes train.epochs and train.lr, and refuses any other change, naming the flag', () => {
    const { d, spec } = setup();
    const out = join(d, 'run');
    const r = hwy(['train', spec, '--out', out, '--device', 'wasm', '--set', 'train.optimizer=adam', '--set', 'train.lr=0.002', '--set', 'train.lr.warmup_steps=20']);
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(rec.settings).toEqual(['train.optimizer=adam', 'train.lr=0.002', 'train.lr.warmup_steps=20']);
    expect(rec.config.optimizer).toEqual({ name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    expect(rec.config.lr).toMatchObject({ value: 0.002, warmupSteps: 20 });

    const refused = hwy(['train', '--resume', out, '--set', 'train.beta1=0.5', '--set', 'train.batch=50', '--set', 'train.optimizer.epsilon=1e-8']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--set train.beta1=0.5: a resumed run keeps the optimizer\'s beta1 it was trained with (0.9)');
    expect(refused.stderr).toContain('--set train.batch=50: a resumed run keeps the batch size it was trained with (100)');
    // the same value as the run's is no change
    expect(refused.stderr).not.toContain('epsilon');
    const sgd = hwy(['train', '--resume', out, '--set', 'train.optimizer=sgd']);
    expect(sgd.code).toBe(2);
    expect(sgd.stderr).toContain('--set train.optimizer=sgd: a resumed run keeps the optimizer it was trained with (adam beta1=0.9 beta2=0.999 epsilon=1e-8)');

    const plan = hwy(['train', '--resume', out, '--set', 'train.epochs=2', '--set', 'train.optimizer=adam', '--print-config']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('  optimizer adam beta1=0.9 beta2=0.999 epsilon=1e-8\n');
    expect(plan.stdout).toContain('  epochs 2\n');

    const resumed = hwy(['train', '--resume', out, '--set', 'train.epochs=2', '--set', 'train.lr=0.001']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const m = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(m.map((x) => x.epoch)).toEqual([1, 2]);
    // epoch 2 at the new rate (past the warm-up, the exponential decay of the spec: 0.9)
    expect(m[1].lr).toBeCloseTo(0.001 * 0.9, 12);
    const after = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(after.history.at(-1)).toMatchObject({ epochs: 2, lr: 0.001 });
  });

  it('hwy sweep --set trains every run with the settings, and continues only with the same ones', () => {
    const { d } = setup();
    const out = join(d, 'sweep');
    const sets = ['--set', 'train.optimizer=adam', '--set', 'train.lr=0.002'];
    const r = hwy(['sweep', '--depths', '2', '--epochs', '1', '--out', out, '--device', 'wasm', ...sets]);
    expect(r.code, r.stderr).toBe(0);
    for (const run of ['plain-2', 'highway-2']) {
      const rec = JSON.parse(readFileSync(join(out, run, 'run.json'), 'utf8'));
      expect(rec.config.optimizer.name).toBe('adam');
      expect(rec.config.lr.value).toBe(0.002);
    }
    const again = hwy(['sweep', '--depths', '2', '--epochs', '1', '--out', out, '--device', 'wasm', '--set', 'train.optimizer=rmsprop']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('was trained with --set train.optimizer=adam --set train.lr=0.002, and this sweep asks for --set train.optimizer=rmsprop');
    expect(hwy(['sweep', '--depths', '2', '--epochs', '1', '--out', out, '--device', 'wasm', ...sets]).code).toBe(0);
    for (const [args, message] of [
      [['--set', 'train.momentum=2'], "--set train.momentum=2: 'momentum' must be below 1, not 2"],
      [['--set', 'data.normalize=gcn'], '--set data.normalize=gcn: the sweep sets this with --data'],
      [['--set', 'depth=3'], "--set depth=3: the sweep trains the paper's networks at the depths of --depths"],
      [['--trials', '2', '--set', 'train.lr=0.1'], '--set train.lr=0.1: with --trials 2 the random search draws the rate'],
    ] as const) {
      const bad = hwy(['sweep', '--depths', '2', '--epochs', '1', '--out', join(d, 'other'), ...args]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(message);
    }
    expect(existsSync(join(d, 'other'))).toBe(false);
  });
});

"""hwy's Optuna worker: the Python side of one sweep worker's search (src/experiment/optuna.ts).

One process per Search, driven by hwy over JSON lines: each request on stdin is
{"id": n, "op": ..., ...}; each answer on stdout is {"id": n, "ok": true, "result": ...} or
{"id": n, "ok": false, "kind": ..., "error": one line}. The first line it writes says whether
Optuna imports here ({"ready": ...} or {"missing": module}), so hwy probes and starts the
worker with one interpreter start.

Each grid point of a sweep is its own study, named `BASE[network=…,axis=…]`: the sampler
learns and the pruner compares only within a point (a median over depth 10 and depth 100
trials would prune by depth, not by the searched settings). The grid axes are recorded as
single-valued parameters of every trial, so the study says where each trial ran.

Trials of a point are its slots: `trials` of them. Asking happens under a lock shared by
every worker of the study (a lock file beside an SQLite database, an advisory lock in
PostgreSQL, GET_LOCK in MySQL), so two workers never fill the same slot. A worker that dies
mid-trial stops its heartbeats; the next ask at that point fails the trial
(fail_stale_trials) and a new trial takes its slot over with the same parameters. A trial is
"interrupted" when it failed without hwy telling it (no hwy_end attribute), or when hwy told
it was stopped before it finished (Ctrl-C): only those are taken over. A trial keeps its slot
(hwy_slot, the number of the slot's first trial) through any number of takeovers, so hwy
continues it in the same run directories.

Each trial records where its runs live (hwy_host, hwy_dir: the machine and sweep directory
of the worker that asked for it) and, once told, hwy's record of it (hwy_record) and its run
directories as HOST:PATH (hwy_runs), so any worker can write the results of the whole
sweep, whichever worker trained each trial.
"""
import hashlib
import json
import math
import os
import signal
import sys
import threading
import warnings

# Ctrl-C is hwy's to handle: it closes the worker, which marks its running trials interrupted.
signal.signal(signal.SIGINT, signal.SIG_IGN)

_out_lock = threading.Lock()


def emit(obj):
    with _out_lock:
        sys.stdout.write(json.dumps(obj, allow_nan=False) + "\n")
        sys.stdout.flush()


try:
    import numpy  # noqa: F401  (Optuna needs it; named if missing)
    import sqlalchemy
    import optuna
    from optuna.trial import Trial, TrialState
except ImportError as e:
    emit({"missing": str(getattr(e, "name", None) or e)})
    sys.exit(3)

optuna.logging.set_verbosity(optuna.logging.WARNING)
# fail_stale_trials is marked experimental; heartbeats with ask-and-tell are recorded here, not by optimize().
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
warnings.filterwarnings("ignore", message=".*Heartbeat of storage is supposed to be used with Study.optimize.*")


@sqlalchemy.event.listens_for(sqlalchemy.engine.Engine, "connect")
def _sqlite_wal(dbapi_conn, _record):
    """SQLite studies in write-ahead-log mode with normal sync: a commit costs ~0.1 ms instead of
    an fsync (~20 ms here, and Optuna commits ~10 times a trial). The database stays consistent
    on a crash; a power loss may lose the last trials' records, which a resumed sweep reruns."""
    if type(dbapi_conn).__module__.startswith("sqlite3"):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


class Refusal(Exception):
    """A one-line error hwy shows as it is: kind is 'storage', 'missing', 'usage' or 'gone'."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def first_line(e):
    """The driver's own message (psycopg2, sqlite3), without SQLAlchemy's wrapping and links."""
    inner = getattr(e, "orig", None) or e
    text = str(inner).strip()
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line
    return type(inner).__name__


def applies(param, point):
    """Whether a searched parameter belongs to the point's network (the plan's `networks`, when it lists them)."""
    nets = param.get("networks")
    return not nets or point.get("network") in nets


def masked(url):
    """The storage URL without its password (error messages are shown and logged)."""
    try:
        return sqlalchemy.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("://")[0] + "://…"


class StudyLock:
    """One lock for every worker of a study, held while a trial is created (see the module doc)."""

    def __init__(self, engine, name):
        self.engine = engine
        self.name = name
        self.dialect = engine.dialect.name
        self.key = int.from_bytes(hashlib.sha256(("hwy-optuna:" + name).encode()).digest()[:8], "big") & 0x7FFFFFFFFFFFFFFF
        self.thread_lock = threading.Lock()
        self.fd = None
        self.conn = None
        if self.dialect == "sqlite":
            db = engine.url.database
            if db and db != ":memory:":
                # O_NOFOLLOW: the lock file is hwy's own, never a link placed there.
                self.fd = os.open(db + ".hwy-lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        elif self.dialect not in ("postgresql", "mysql"):
            raise Refusal("usage", f"hwy shares studies through sqlite, postgresql or mysql storage, not {self.dialect}")

    def __enter__(self):
        self.thread_lock.acquire()
        try:
            if self.fd is not None:
                import fcntl

                fcntl.flock(self.fd, fcntl.LOCK_EX)
            elif self.dialect == "postgresql":
                self.conn = self.engine.connect()
                self.conn.execute(sqlalchemy.text("SELECT pg_advisory_lock(:k)"), {"k": self.key})
            elif self.dialect == "mysql":
                self.conn = self.engine.connect()
                got = self.conn.execute(sqlalchemy.text("SELECT GET_LOCK(:n, 300)"), {"n": "hwy-" + str(self.key)}).scalar()
                if got != 1:
                    raise Refusal("storage", f"could not take the study lock of {self.name} in MySQL within 300 s")
        except BaseException:
            self._release()
            raise
        return self

    def _release(self):
        try:
            if self.fd is not None:
                import fcntl

                fcntl.flock(self.fd, fcntl.LOCK_UN)
            elif self.conn is not None:
                if self.dialect == "postgresql":
                    self.conn.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                else:
                    self.conn.execute(sqlalchemy.text("SELECT RELEASE_LOCK(:n)"), {"n": "hwy-" + str(self.key)})
                self.conn.close()
        finally:
            self.conn = None
            self.thread_lock.release()

    def __exit__(self, *exc):
        self._release()
        return False


class NoStopGridSampler(optuna.samplers.GridSampler):
    """GridSampler whose after_trial does not call study.stop(): that raises outside optimize(),
    and hwy counts a point's trials itself."""

    def after_trial(self, study, trial, state, values):
        pass


def grid_values(p):
    d = p["dist"]
    if d["type"] == "choice":
        return list(d["choices"])
    if d["type"] == "int":
        return list(range(d["low"], d["high"] + 1, d["step"]))
    raise Refusal("usage", f"the grid sampler cannot enumerate {p['name']} ({d['type']})")


def suggest(trial, p):
    d = p["dist"]
    t = d["type"]
    if t == "uniform":
        return trial.suggest_float(p["name"], d["low"], d["high"])
    if t == "loguniform":
        return trial.suggest_float(p["name"], d["low"], d["high"], log=True)
    if t == "int":
        return trial.suggest_int(p["name"], d["low"], d["high"], step=d["step"])
    return trial.suggest_categorical(p["name"], list(d["choices"]))


def reseed(sampler, seed):
    """Seeds the sampler for one trial from (sweep seed, point, trial number): one worker
    reproduces its draws, and two workers never draw the same startup trials."""
    for s in (sampler, getattr(sampler, "_random_sampler", None)):
        rng = getattr(s, "_rng", None)
        if rng is not None and hasattr(rng, "seed"):
            rng.seed(seed)


def derived_seed(seed, key, n):
    return int.from_bytes(hashlib.sha256(f"{seed}:{key}:{n}".encode()).digest()[:4], "big")


def is_interrupted(t):
    """Failed without hwy telling it: a worker died (stale heartbeat) or was closed mid-trial."""
    return t.state == TrialState.FAIL and "hwy_end" not in t.user_attrs


class Worker:
    def __init__(self):
        self.rdb = None
        self.cfg = None
        self.lock = None
        self.studies = {}  # study name -> Study
        self.live = {}  # trial id -> (Study, Trial), the trials this worker runs
        self.stop = threading.Event()
        self.beats = None

    # -- open ---------------------------------------------------------------------------
    def open(self, req):
        self.cfg = req
        url = req["storage"]
        timeout = int(req["connect_timeout"])
        dialect = url.split(":", 1)[0].split("+", 1)[0]
        if dialect == "sqlite":
            # the busy timeout: how long a write waits for another worker's transaction. The
            # connections are kept (SQLAlchemy 1.4 opens one per transaction for a file): closing
            # the last one checkpoints the write-ahead log, an fsync each time. The heartbeat
            # thread takes its own connection from the pool.
            kw = {"connect_args": {"timeout": 60, "check_same_thread": False}, "poolclass": sqlalchemy.pool.QueuePool, "pool_size": 4}
        else:
            kw = {"connect_args": {"connect_timeout": timeout}}
        if dialect in ("postgresql", "mysql"):
            kw["pool_pre_ping"] = True
        try:
            # Workers starting together on a new storage race to create its tables and schema
            # version row: the first makes them under the lock, the others find them made.
            plain = sqlalchemy.create_engine(url, **kw)
            try:
                with StudyLock(plain, "hwy-optuna-schema"):
                    self.rdb = optuna.storages.RDBStorage(url, engine_kwargs=kw, heartbeat_interval=int(req["heartbeat"]), grace_period=int(req["grace"]))
            finally:
                plain.dispose()
        except ImportError as e:
            module = {"postgresql": "psycopg2", "mysql": "pymysql"}.get(dialect, str(e))
            package = {"postgresql": "python3-psycopg2", "mysql": "python3-pymysql"}.get(dialect, module)
            raise Refusal("missing", f"{dialect} storage needs {module}: apt-get install {package}, or pip install {module}")
        except sqlalchemy.exc.SQLAlchemyError as e:
            raise Refusal("storage", f"cannot open the study storage {masked(url)}: {first_line(e)}")
        except OSError as e:  # the SQLite lock file beside the database
            raise Refusal("storage", f"cannot open the study storage {masked(url)}: {e.strerror or e}")
        self.lock = StudyLock(self.rdb.engine, req["study"])
        with self.lock:
            studies = self._own_studies()
        self.beats = threading.Thread(target=self._beat, daemon=True)
        self.beats.start()
        return {"optuna": optuna.__version__, "studies": studies}

    def _own_studies(self):
        base = self.cfg["study"] + "["
        out = []
        for s in self.rdb.get_all_studies():
            if s.study_name.startswith(base):
                out.append(self._identity(s.study_name, s.user_attrs))
        return out

    @staticmethod
    def _identity(name, attrs):
        return {"name": name, "hash": attrs.get("hwy_plan_hash"), "version": attrs.get("hwy_version"), "plan": attrs.get("hwy_plan")}

    def _beat(self):
        interval = int(self.cfg["heartbeat"])
        while not self.stop.wait(interval):
            for tid in list(self.live):
                try:
                    self.rdb.record_heartbeat(tid)
                except Exception as e:  # a storage hiccup: the next beat may get through
                    sys.stderr.write(f"hwy_optuna: heartbeat of trial {tid} failed: {first_line(e)}\n")

    # -- studies ------------------------------------------------------------------------
    def _sampler(self, point):
        name = self.cfg["sampler"]
        seed = int(self.cfg["seed"])
        if name == "tpe":
            return optuna.samplers.TPESampler(seed=seed)
        if name == "random":
            return optuna.samplers.RandomSampler(seed=seed)
        if name == "grid":
            space = {axis: [value] for axis, value in point["values"].items()}
            for p in self.cfg["space"]:
                if applies(p, point):
                    space[p["name"]] = grid_values(p)
            return NoStopGridSampler(space, seed=seed)
        raise Refusal("usage", f"unknown sampler {name}")

    def _pruner(self):
        name = self.cfg["pruner"]
        if name == "median":
            return optuna.pruners.MedianPruner()
        if name == "successive_halving":
            return optuna.pruners.SuccessiveHalvingPruner()
        if name == "none":
            return optuna.pruners.NopPruner()
        raise Refusal("usage", f"unknown pruner {name}")

    def _study(self, key, point):
        """The point's study, created with hwy's identity or checked against it (under the lock)."""
        name = f"{self.cfg['study']}[{key}]"
        study = self.studies.get(name)
        if study is not None:
            return study, None
        study = optuna.create_study(
            storage=self.rdb,
            study_name=name,
            direction=self.cfg["direction"],
            sampler=self._sampler(point),
            pruner=self._pruner(),
            load_if_exists=True,
        )
        attrs = study.user_attrs
        if "hwy_plan_hash" not in attrs and len(study.get_trials(deepcopy=False)) == 0:
            study.set_user_attr("hwy_plan_hash", self.cfg["hash"])
            study.set_user_attr("hwy_version", self.cfg["version"])
            study.set_user_attr("hwy_plan", self.cfg["plan"])
            study.set_user_attr("hwy_point", point)
        elif attrs.get("hwy_plan_hash") != self.cfg["hash"] or attrs.get("hwy_version") != self.cfg["version"]:
            return None, self._identity(name, attrs)
        self.studies[name] = study
        return study, None

    # -- ask / report / tell ------------------------------------------------------------
    def ask(self, req):
        key, point = req["key"], req["point"]
        with self.lock:
            study, mismatch = self._study(key, point)
            if mismatch is not None:
                return {"mismatch": mismatch}
            optuna.storages.fail_stale_trials(study)
            trials = study.get_trials(deepcopy=False)
            interrupted = [t for t in trials if is_interrupted(t)]
            taken = {t.user_attrs.get("hwy_takes_over") for t in trials}
            pending = [t for t in interrupted if t.number not in taken]
            if len(trials) - len(interrupted) >= int(self.cfg["trials"]):
                others = [t for t in trials if t.state == TrialState.RUNNING and t._trial_id not in self.live]
                if others:
                    return {"wait": len(others)}
                return {"done": True}
            reseed(study.sampler, derived_seed(self.cfg["seed"], key, len(trials)))
            trial = study.ask()
            tid = trial._trial_id
            # the first heartbeat before the lock is released: a trial without one is never found stale
            self.rdb.record_heartbeat(tid)
            self.live[tid] = (study, trial)
            takes_over = None
            slot = trial.number
            if pending:
                old = pending[0]
                takes_over = old.number
                # through the study's own (caching) storage, so the re-read Trial sees them
                store = study._storage
                for name, value in old.params.items():
                    dist = old.distributions[name]
                    store.set_trial_param(tid, name, dist.to_internal_repr(value), dist)
                for attr in ("grid_id", "search_space"):
                    if attr in old.system_attrs:
                        store.set_trial_system_attr(tid, attr, old.system_attrs[attr])
                store.set_trial_user_attr(tid, "hwy_takes_over", old.number)
                slot = old.user_attrs.get("hwy_slot", old.number)
                trial = Trial(study, tid)  # re-read: the parameters were written behind its back
                self.live[tid] = (study, trial)
            else:
                for axis, value in point["values"].items():
                    trial.suggest_categorical(axis, [value])
                for p in self.cfg["space"]:
                    # a parameter of some networks only (the gate bias of a highway net beside a plain one) is not drawn for the others
                    if applies(p, point):
                        suggest(trial, p)
            store = study._storage
            store.set_trial_user_attr(tid, "hwy_slot", slot)
            where = self.cfg.get("where") or {}
            for name in ("host", "dir"):
                if isinstance(where.get(name), str):
                    store.set_trial_user_attr(tid, "hwy_" + name, where[name])
            params = trial.params
            space = {p["name"]: params[p["name"]] for p in self.cfg["space"] if p["name"] in params}
            return {"trial": {"id": tid, "number": trial.number, "params": space, "takes_over": takes_over, "slot": slot}}

    def _live(self, tid):
        got = self.live.get(tid)
        if got is None:
            raise Refusal("usage", f"trial {tid} is not running in this worker")
        return got

    def _finished_elsewhere(self, tid):
        try:
            return self.rdb.get_trial(tid).state.is_finished()
        except Exception:
            return False

    def report(self, req):
        tid = int(req["trial"])
        study, trial = self._live(tid)
        try:
            trial.report(float(req["value"]), int(req["step"]))
            return {"prune": bool(trial.should_prune())}
        except (RuntimeError, ValueError):
            if self._finished_elsewhere(tid):
                # failed as stale by another worker (this one lost its heartbeats): stop training it
                return {"prune": True, "gone": True}
            raise

    def tell(self, req):
        tid = int(req["trial"])
        study, trial = self._live(tid)
        state = req["state"]
        value = req.get("value")
        reason = req.get("reason")
        if state == "interrupted":
            # stopped before it finished (Ctrl-C): failed without hwy_end, so the next ask at its point takes it over
            try:
                study._storage.set_trial_user_attr(tid, "hwy_interrupted", True)
                study._storage.set_trial_state_values(tid, TrialState.FAIL)
            except (RuntimeError, ValueError):
                if not self._finished_elsewhere(tid):
                    raise
            self.live.pop(tid, None)
            return {"recorded": True, "state": state}
        if state == "complete" and (value is None or not math.isfinite(value)):
            state, reason = "failed", f"the objective is {'missing' if value is None else value}"
        try:
            record = req.get("record")
            if record is not None:
                trial.set_user_attr("hwy_record", record)
                # where its runs live, for anyone reading the study (the record's paths are relative to the sweep directory)
                where = self.cfg.get("where") or {}
                if isinstance(where.get("host"), str) and isinstance(where.get("dir"), str):
                    runs = [r["run"] for r in record.get("runs", []) if isinstance(r, dict) and isinstance(r.get("run"), str)]
                    trial.set_user_attr("hwy_runs", [where["host"] + ":" + os.path.join(where["dir"], r) for r in runs])
            trial.set_user_attr("hwy_end", state)
            if reason:
                trial.set_user_attr("hwy_reason", str(reason)[:500])
            if value is not None and math.isfinite(value):
                trial.set_user_attr("hwy_value", float(value))
            if state == "complete":
                study.tell(trial, float(value))
            elif state == "pruned":
                study.tell(trial, state=TrialState.PRUNED)
            else:
                study.tell(trial, state=TrialState.FAIL)
        except (RuntimeError, ValueError):
            if self._finished_elsewhere(tid):
                self.live.pop(tid, None)
                return {"recorded": False}
            raise
        self.live.pop(tid, None)
        return {"recorded": True, "state": state}

    # -- records ------------------------------------------------------------------------
    def records(self, req):
        """hwy's record of every trial told with one, in every study of this sweep, and where its runs live."""
        out = []
        with self.lock:
            summaries = [s for s in self.rdb.get_all_studies() if s.study_name.startswith(self.cfg["study"] + "[")]
        for s in summaries:
            for t in self.rdb.get_all_trials(s._study_id, deepcopy=False):
                a = t.user_attrs
                if t.state.is_finished() and "hwy_end" in a and "hwy_record" in a:
                    out.append({"study": s.study_name, "number": t.number, "host": a.get("hwy_host"), "dir": a.get("hwy_dir"), "record": a["hwy_record"]})
        return out

    # -- importances --------------------------------------------------------------------
    def importances(self, req):
        try:
            import sklearn  # noqa: F401
        except ImportError:
            raise Refusal("missing", "parameter importances need scikit-learn: apt-get install python3-sklearn, or pip install scikit-learn")
        from optuna.importance import FanovaImportanceEvaluator, get_param_importances

        names = [p["name"] for p in self.cfg["space"]]
        out = []
        with self.lock:
            summaries = [s for s in self.rdb.get_all_studies() if s.study_name.startswith(self.cfg["study"] + "[")]
        for s in summaries:
            study = optuna.load_study(study_name=s.study_name, storage=self.rdb)
            complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            entry = {"study": s.study_name, "point": s.user_attrs.get("hwy_point"), "complete": len(complete), "importances": None}
            varied = [n for n in names if len({repr(t.params.get(n)) for t in complete if n in t.params}) > 1 and all(n in t.params for t in complete)]
            if len(complete) >= 2 and varied:
                got = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=int(self.cfg["seed"])), params=varied)
                entry["importances"] = {k: float(v) for k, v in got.items()}
            out.append(entry)
        return out

    # -- shutting down ------------------------------------------------------------------
    def interrupt_running(self):
        """Fails this worker's running trials without hwy_end: the next ask at their point takes them over."""
        for tid in list(self.live):
            try:
                self.rdb.set_trial_user_attr(tid, "hwy_interrupted", True)
                self.rdb.set_trial_state_values(tid, TrialState.FAIL)
            except Exception as e:
                sys.stderr.write(f"hwy_optuna: could not mark trial {tid} interrupted: {first_line(e)}\n")
            self.live.pop(tid, None)

    def close(self, req):
        self.stop.set()
        if self.rdb is not None:
            self.interrupt_running()
        return {"closed": True}


def main():
    emit({"ready": True, "optuna": optuna.__version__, "python": sys.version.split()[0]})
    worker = Worker()
    ops = {"open": worker.open, "ask": worker.ask, "report": worker.report, "tell": worker.tell, "importances": worker.importances, "records": worker.records, "close": worker.close}
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        rid = req.get("id")
        try:
            op = ops.get(req.get("op"))
            if op is None:
                raise Refusal("usage", f"unknown request {req.get('op')!r}")
            if req.get("op") != "open" and worker.rdb is None:
                raise Refusal("usage", "the worker has no storage open")
            emit({"id": rid, "ok": True, "result": op(req)})
        except Refusal as e:
            emit({"id": rid, "ok": False, "kind": e.kind, "error": str(e)})
        except sqlalchemy.exc.OperationalError as e:
            emit({"id": rid, "ok": False, "kind": "storage", "error": f"the study storage failed: {first_line(e)}"})
        except Exception as e:
            emit({"id": rid, "ok": False, "kind": "internal", "error": f"{type(e).__name__}: {first_line(e)}"})
        if req.get("op") == "close":
            break
    else:
        # stdin closed without a close request: hwy went away mid-sweep
        worker.stop.set()
        if worker.rdb is not None:
            worker.interrupt_running()
    os._exit(0)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# The GitOps reconcile of one stack, as a CI job runs it (examples/gitops/README.md):
#   0. recovery, only before a remediation: a stack left by a runner that was killed (its lock, its
#      pending operations) is cleared the documented way, and says so in the log;
#   1. drift check: `pulumi preview --refresh --expect-no-changes --json` (exit 7: drift, 0: none,
#      anything else: the check failed) -> preview.json;
#   2. report: `pulumi-hcs drift-report --from-file preview.json --json` -> drift.json (schema
#      pulumi-hcs.drift/v1, docs/operations.md), and the same as a table -> drift.txt and stdout;
#   3. remediation, when there is drift and REMEDIATE=1: `pulumi up --refresh --yes`, then the drift
#      check again to show the stack converged; a stack locked by a live runner is a conflict;
#   4. notification: NOTIFY_CMD, when set, runs with drift.json on stdin and DRIFT_STATUS set.
#
# Inputs (environment):
#   PULUMI_STACK          the stack to reconcile (required)
#   PULUMI_BACKEND_URL    the state backend, e.g. file://…, postgres://…, azblob://… (required: a CI
#                         runner must not fall back to whatever `pulumi login` last chose); its
#                         credentials as Pulumi reads them (AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY
#                         for azblob://)
#   REMEDIATE             0 report only (default), 1 repair drift with `pulumi up --refresh`
#   NOTIFY_CMD            optional: a shell command run last; stdin: drift.json (empty when the check
#                         itself failed); env: DRIFT_STATUS (clean, drifted, remediated,
#                         remediation-failed, conflict, error), DRIFT_EXIT_CODE, PULUMI_STACK
#   OUT_DIR               where preview.json, drift.json, drift.txt and up.log go (default: the current directory)
#   PROJECT_DIR           the Pulumi project (default: this script's parent folder)
#   STALE_LOCK_AFTER_SECONDS  a lock older than this is a killed runner's, never a live one's
#                         (default 3600; keep it above the CI job's timeout)
#   PULUMI_CONFIG_PASSPHRASE  the stack's passphrase secrets provider, for Pulumi
#   PULUMI_HCS_AGENT_CERT_PATH, or PULUMI_HCS_AGENT_CA, PULUMI_HCS_AGENT_CERT and PULUMI_HCS_AGENT_KEY
#                         (and PULUMI_HCS_AGENT_PIN): the agents' client credentials as files, for
#                         the provider and pulumi-hcs (docs/agent.md, "Client side")
#
# Exit codes (those of `pulumi-hcs reconcile` and `drift-report`): 0 no drift, or drift remediated;
# 1 error (the check, the report or the recovery failed); 2 bad usage; 3 drift found, report only;
# 4 remediation failed or did not converge; 5 conflict: another runner holds the stack's lock.
set -euo pipefail

readonly EXIT_CLEAN=0 EXIT_ERROR=1 EXIT_USAGE=2 EXIT_DRIFT=3 EXIT_REMEDIATION_FAILED=4 EXIT_CONFLICT=5
# What `pulumi preview --expect-no-changes` exits with when it proposes changes (CLI 3.274.1).
readonly PULUMI_CHANGES_PROPOSED=7
# The first line of the self-managed backends' lock refusal (pkg/backend/diy/lock.go, 3.274.1).
readonly LOCKED_MESSAGE="the stack is currently locked by"

log() { printf 'reconcile: %s\n' "$*" >&2; }

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_DIR="$(cd "${PROJECT_DIR:-$SCRIPT_DIR/..}" && pwd)"
OUT_DIR="$(mkdir -p "${OUT_DIR:-$PWD}" && cd "${OUT_DIR:-$PWD}" && pwd)"
REMEDIATE="${REMEDIATE:-0}"
NOTIFY_CMD="${NOTIFY_CMD:-}"
STALE_LOCK_AFTER_SECONDS="${STALE_LOCK_AFTER_SECONDS:-3600}"

if [ -z "${PULUMI_STACK:-}" ]; then log "set PULUMI_STACK to the stack to reconcile"; exit "$EXIT_USAGE"; fi
if [ -z "${PULUMI_BACKEND_URL:-}" ]; then log "set PULUMI_BACKEND_URL to the stack's state backend"; exit "$EXIT_USAGE"; fi
case "$REMEDIATE" in 0 | 1) ;; *) log "REMEDIATE must be 0 or 1, not '$REMEDIATE'"; exit "$EXIT_USAGE" ;; esac
case "$STALE_LOCK_AFTER_SECONDS" in '' | *[!0-9]*) log "STALE_LOCK_AFTER_SECONDS must be a number of seconds"; exit "$EXIT_USAGE" ;; esac

# `npm ci` in the project puts pulumi-hcs (the SDK's implementation package's CLI) in node_modules/.bin.
[ -d "$PROJECT_DIR/node_modules/.bin" ] && PATH="$PROJECT_DIR/node_modules/.bin:$PATH"
for tool in pulumi pulumi-hcs node; do
  command -v "$tool" > /dev/null || { log "'$tool' is not on PATH"; exit "$EXIT_ERROR"; }
done

cd "$PROJECT_DIR"
PREVIEW_JSON="$OUT_DIR/preview.json"
DRIFT_JSON="$OUT_DIR/drift.json"
DRIFT_TXT="$OUT_DIR/drift.txt"
UP_LOG="$OUT_DIR/up.log"
rm -f "$PREVIEW_JSON" "$DRIFT_JSON" "$DRIFT_TXT" "$UP_LOG"

p() { pulumi "$@" --stack "$PULUMI_STACK" --non-interactive; }

# --- locks ---------------------------------------------------------------------------------------
# A self-managed backend (file, postgres, azblob…) locks the stack for each update with a lock
# object naming its process: `created by user@host (pid N) at <RFC 3339>`. A runner killed with
# SIGKILL leaves its lock behind, and every later update is refused until `pulumi cancel` deletes
# it. `pulumi cancel` deletes every lock of the stack, a live runner's too, so it runs only when
# each lock is known to be dead: its process is gone from this machine, or it is older than
# STALE_LOCK_AFTER_SECONDS (a CI job ends by its timeout, so an older lock's runner is gone).

# Prints why each lock named in the refusal on stdin is stale, or fails naming one that may be live.
stale_locks() {
  node -e '
    const text = require("node:fs").readFileSync(0, "utf8");
    const [host, staleAfter] = [process.argv[1], Number(process.argv[2])];
    const locks = [...text.matchAll(/^\s*(\S+): created by (.*)@(\S*) \(pid (\d+)\) at (\S+)$/gm)];
    if (locks.length === 0) { console.log("no lock named in the refusal"); process.exit(1); }
    let live = false;
    for (const [, url, user, lockHost, pid, at] of locks) {
      const age = Math.round((Date.now() - Date.parse(at)) / 1000);
      const holder = `${user}@${lockHost} pid ${pid}, ${age} s old (${url})`;
      let gone = false;
      if (lockHost === host) { try { process.kill(Number(pid), 0); } catch (err) { gone = err.code === "ESRCH"; } }
      if (gone) console.log(`stale: ${holder}: no such process on this machine`);
      else if (age > staleAfter) console.log(`stale: ${holder}: older than ${staleAfter} s`);
      else { console.log(`live: ${holder}`); live = true; }
    }
    process.exit(live ? 1 : 0);
  ' "$(hostname)" "$STALE_LOCK_AFTER_SECONDS"
}

# Runs `pulumi <args>`, its output in LOG as well as on stderr. When the stack's lock refuses it and
# every lock is a killed runner's, logs the recovery, runs `pulumi cancel` and tries once more.
# Returns the command's exit code, or EXIT_CONFLICT when a live runner holds the lock.
locked_run() {
  local log_file="$1" rc verdict attempt
  shift
  for attempt in 1 2; do
    rc=0
    p "$@" 2>&1 | tee "$log_file" >&2 || rc=$?
    if [ "$rc" -eq 0 ] || ! grep -q "$LOCKED_MESSAGE" "$log_file"; then return "$rc"; fi
    if verdict="$(stale_locks < "$log_file")"; then
      if [ "$attempt" -eq 2 ]; then log "the stack is still locked after pulumi cancel"; return "$EXIT_ERROR"; fi
      log "recovery: the stack's lock was left by a runner that is gone:"
      printf '  %s\n' "$verdict" >&2
      log "recovery: pulumi cancel --yes (deletes the stack's lock)"
      p cancel --yes >&2 || { log "pulumi cancel failed"; return "$EXIT_ERROR"; }
      log "recovery: the stack is unlocked; pulumi $1 again"
    else
      log "conflict: another runner holds the stack's lock; not touching it:"
      printf '  %s\n' "$verdict" >&2
      return "$EXIT_CONFLICT"
    fi
  done
}

# --- pending operations ----------------------------------------------------------------------------
# An update killed while the provider was creating, updating or deleting leaves those operations
# "pending" in the state. `up` proceeds with a warning but carries pending creates forward forever;
# `pulumi refresh --clear-pending-creates` drops them (each VM's create, run again, derives the same
# compute-system ID and removes what the interrupted one left: docs/operations.md, "Recovering from
# an interrupted run").
pending_operations() {
  p stack export | node -e '
    const state = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
    for (const op of state.deployment?.pending_operations ?? []) console.log(`${op.type} ${op.resource?.urn}`);
  '
}

recover_interrupted_run() {
  local pending rc=0
  pending="$(pending_operations)" || { log "pulumi stack export failed"; return "$EXIT_ERROR"; }
  [ -z "$pending" ] && return 0
  # A live update's operations are pending too: the refresh needs the stack's lock, so it runs only
  # when no live runner holds it (then the operations are an interrupted run's), else it is a conflict.
  log "recovery: the state holds pending operations (an interrupted run's, unless another runner's update is under way):"
  printf '  %s\n' "$pending" >&2
  log "recovery: pulumi refresh --yes --skip-preview --clear-pending-creates"
  locked_run "$OUT_DIR/recovery.log" refresh --yes --skip-preview --clear-pending-creates || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne "$EXIT_CONFLICT" ]; then log "recovery: the refresh failed ($rc)"; fi
  return "$rc"
}

# --- the steps -------------------------------------------------------------------------------------
# Step 1: exit 0 no drift, 7 drift (Pulumi's code); anything else is a failed check, never "no drift".
drift_check() {
  local rc=0
  p preview --refresh --expect-no-changes --json > "$PREVIEW_JSON" || rc=$?
  return "$rc"
}

# Step 2: drift.json and the table; fails when preview.json is not a preview's output.
report() {
  local rc=0
  pulumi-hcs drift-report --from-file "$PREVIEW_JSON" --stack "$PULUMI_STACK" --json > "$DRIFT_JSON" || rc=$?
  [ "$rc" -eq 0 ] || [ "$rc" -eq "$EXIT_DRIFT" ] || return "$EXIT_ERROR"
  rc=0
  pulumi-hcs drift-report --from-file "$PREVIEW_JSON" --stack "$PULUMI_STACK" > "$DRIFT_TXT" || rc=$?
  [ "$rc" -eq 0 ] || [ "$rc" -eq "$EXIT_DRIFT" ] || return "$EXIT_ERROR"
  cat "$DRIFT_TXT"
}

reconcile() {
  local rc=0
  log "step 1: drift check of stack $PULUMI_STACK (pulumi preview --refresh --expect-no-changes)"
  drift_check || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne "$PULUMI_CHANGES_PROPOSED" ]; then
    log "the drift check failed (pulumi exited $rc): not a verdict on drift"
    STATUS=error
    return "$EXIT_ERROR"
  fi
  local drifted=0
  if [ "$rc" -eq "$PULUMI_CHANGES_PROPOSED" ]; then drifted=1; fi

  log "step 2: report (pulumi-hcs drift-report -> $DRIFT_JSON)"
  report || { log "the drift report failed"; STATUS=error; return "$EXIT_ERROR"; }
  # The summary covers utility VMs; a change to any other resource also makes the preview exit 7.
  if [ "$drifted" = 1 ] && ! grep -q '"drifted": true' "$DRIFT_JSON"; then
    log "the preview proposes changes to resources other than utility VMs (see $PREVIEW_JSON)"
  fi
  if [ "$drifted" = 0 ]; then STATUS=clean; return "$EXIT_CLEAN"; fi
  if [ "$REMEDIATE" != 1 ]; then
    log "drift found; report only (REMEDIATE=1 repairs it)"
    STATUS=drifted
    return "$EXIT_DRIFT"
  fi

  log "step 3: remediation"
  rc=0
  recover_interrupted_run || rc=$?
  if [ "$rc" -eq 0 ]; then
    log "pulumi up --refresh --yes --skip-preview (its output: $UP_LOG)"
    locked_run "$UP_LOG" up --refresh --yes --skip-preview || rc=$?
  fi
  if [ "$rc" -eq "$EXIT_CONFLICT" ]; then STATUS=conflict; return "$EXIT_CONFLICT"; fi
  if [ "$rc" -ne 0 ]; then
    log "remediation failed (pulumi exited $rc)"
    STATUS=remediation-failed
    return "$EXIT_REMEDIATION_FAILED"
  fi
  rc=0
  p preview --refresh --expect-no-changes > "$OUT_DIR/verify.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    log "the stack did not converge: the drift check after the remediation exited $rc (its output: $OUT_DIR/verify.log)"
    STATUS=remediation-failed
    return "$EXIT_REMEDIATION_FAILED"
  fi
  log "remediated: the drift check after the remediation is clean"
  STATUS=remediated
  return "$EXIT_CLEAN"
}

# Step 4: the hook's own failure is logged, and does not change the pipeline's verdict.
notify() {
  local code="$1" rc=0 input=/dev/null
  [ -n "$NOTIFY_CMD" ] || return 0
  [ -s "$DRIFT_JSON" ] && input="$DRIFT_JSON"
  log "step 4: notification (DRIFT_STATUS=$STATUS)"
  DRIFT_STATUS="$STATUS" DRIFT_EXIT_CODE="$code" PULUMI_STACK="$PULUMI_STACK" bash -c "$NOTIFY_CMD" < "$input" || rc=$?
  [ "$rc" -eq 0 ] || log "the notification hook exited $rc (ignored)"
}

STATUS=error
CODE=0
reconcile || CODE=$?
notify "$CODE"
log "done: $STATUS (exit $CODE)"
exit "$CODE"

#!/usr/bin/env bash
# Lints the CloudFormation that amplify-gql builds with cfn-lint (https://github.com/aws-cloudformation/cfn-lint).
#
# usage: scripts/cfn-lint.sh [--bin PATH] [SCHEMA_OR_PROJECT...]
#
# Without arguments it compiles examples/blog-project and every fixtures/ok schema. A schema
# is a .graphql file or a schema/ folder (sidecars NAME.auth.json / NAME.flags.json /
# NAME.transform.json are passed on); a folder with amplify/backend/ is an Amplify project.
# Each build goes to a scratch folder (SOURCE_DATE_EPOCH=0) and cfn-lint checks its root and
# generated nested stacks (a project's own stacks/ are copied as they are and not linted).
#
# These findings are left out because the reference (`amplify api gql-compile`) emits the same
# templates: W3005 (a DependsOn on a resource that a GetAtt already orders, e.g. a function
# on its data source) and W8001 (the unused HasEnvironmentParameter condition of model stacks);
# with @searchable also W2001 and E2015, which the reference's root template gets too (see below).
# Anything else, error or warning, fails the run.
#
# Needs cfn-lint on PATH (`pip install cfn-lint`). Exit status 0 when every build is clean.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=""
inputs=()
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2;;
    -h|--help) sed -n 2,18p "$0"; exit 0;;
    *) inputs+=("$1"); shift;;
  esac
done
command -v cfn-lint >/dev/null || { echo "cfn-lint is not installed: pip install cfn-lint"; exit 2; }
if [ -z "$bin" ]; then
  (cd "$root" && cargo build --release --quiet) || exit 2
  bin=$root/target/release/amplify-gql
fi
if [ ${#inputs[@]} = 0 ]; then
  inputs=("$root/examples/blog-project")
  for f in "$root"/fixtures/ok/*.graphql "$root"/fixtures/ok/*/; do inputs+=("${f%/}"); done
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
failed=0
for input in "${inputs[@]}"; do
  name=$(basename "${input%.graphql}")
  out=$work/$name
  if [ -d "$input/amplify/backend" ]; then
    SOURCE_DATE_EPOCH=0 "$bin" gql-compile --project "$input" --out "$out" >"$out.log" 2>&1
  else
    auth=${input%.graphql}.auth.json; flags=${input%.graphql}.flags.json
    conf=${input%.graphql}.transform.json
    [ -f "$auth" ] || auth=""; [ -f "$flags" ] || flags=""; [ -f "$conf" ] || conf=""
    SOURCE_DATE_EPOCH=0 "$bin" gql-compile --schema "$input" --out "$out" \
      ${auth:+--auth-config "$auth"} ${flags:+--feature-flags "$flags"} \
      ${conf:+--transform-conf "$conf"} >"$out.log" 2>&1
  fi
  if [ $? != 0 ]; then
    echo "$name: compile failed"; sed 's/^/  /' "$out.log" | head -5; failed=1; continue
  fi
  files=("$out/cloudformation-template.json")
  for st in "$out"/stacks/*.json; do
    [ -e "$st" ] || continue
    if [ -d "$input/amplify/backend" ] && ls "$input"/amplify/backend/api/*/stacks/"$(basename "$st")" >/dev/null 2>&1; then
      continue
    fi
    files+=("$st")
  done
  ignore=(W3005 W8001)
  # With @searchable the reference's root template declares OpenSearch parameters it does not
  # use (W2001), and cfn-lint rejects its default instance type t2.small.elasticsearch
  # although it is one of the AllowedValues (E2015): the oracle's own template gets both.
  [ -e "$out/stacks/SearchableStack.json" ] && ignore+=(W2001 E2015)
  if report=$(cfn-lint --ignore-checks "${ignore[@]}" -- "${files[@]}" 2>&1); then
    echo "$name: clean"
  else
    echo "$name: cfn-lint found problems"; echo "$report" | sed "s#$work/##; s/^/  /"; failed=1
  fi
done
exit $failed

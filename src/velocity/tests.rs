//! The interpreter on small templates, each checking one rule of the dialect.

use serde_json::json;

use super::{Env, Outcome, Template, Value};

fn run_with(template: &str, ctx: serde_json::Value) -> Outcome {
    let t = Template::parse(template).unwrap_or_else(|e| panic!("{template}: {e}"));
    let mut env = Env::new(1_733_571_000_123, "User Pool Authorization");
    t.render(&Value::from_json(&ctx), &mut env)
        .unwrap_or_else(|e| panic!("{template}: {e}"))
}

fn out(template: &str, ctx: serde_json::Value) -> String {
    run_with(template, ctx).output
}

#[test]
fn set_if_else_and_references() {
    let t = "#set($x = 3)#if($x > 2)big#elseif($x > 1)mid#{else}small#end $x";
    assert_eq!(out(t, json!({})), "big 3");
    assert_eq!(
        out(
            "#set($x = 1)#if($x > 2)big#elseif($x > 0)mid#else small#end",
            json!({})
        ),
        "mid"
    );
    // A loud null reference prints itself; a quiet one nothing.
    assert_eq!(
        out("[$nothing.here] [$!nothing]", json!({})),
        "[$nothing.here] []"
    );
    assert_eq!(
        out("${ctx.args.id}-x", json!({"args": {"id": "a1"}})),
        "a1-x"
    );
    assert_eq!(
        out("$context.args.id.", json!({"args": {"id": "a1"}})),
        "a1."
    );
    assert_eq!(out("#sort = :sort", json!({})), "#sort = :sort");
    assert_eq!(out("a## comment\nb#* block *#c", json!({})), "abc");
}

#[test]
fn maps_and_lists_are_shared_and_mutable() {
    let t = r#"#set($m = {})#set($alias = $m)$util.qr($alias.put("k", [1, 2]))$util.qr($m.k.add(3))$util.toJson($m)"#;
    assert_eq!(out(t, json!({})), r#"{"k":[1,2,3]}"#);
    let t = r#"#set($m = {"a": 1})#set($m.b = 2)#set($m["c"] = "x")$m.size() $m.keySet() $m.containsKey("b")"#;
    assert_eq!(out(t, json!({})), "3 [a, b, c] true");
    // An unquieted put prints what it returns: the old value, or itself when there was none.
    assert_eq!(
        out(r#"#set($m = {})$m.put("a", 1)|$m.put("a", 2)"#, json!({})),
        r#"$m.put("a", 1)|1"#
    );
}

#[test]
fn foreach_has_its_loop_variables_and_break() {
    let t = "#foreach($i in [1..4])$i#if($foreach.hasNext),#end#if($i == 3)#break#end#end";
    assert_eq!(out(t, json!({})), "1,2,3,");
    let t = "#set($x = \"kept\")#foreach($x in $ctx.args.items)$foreach.index:$x #end$x";
    assert_eq!(
        out(t, json!({"args": {"items": ["a", "b"]}})),
        "0:a 1:b kept"
    );
    let t = "#foreach($e in $ctx.args.m.entrySet())$e.key=$e.value;#end";
    assert_eq!(
        out(t, json!({"args": {"m": {"x": 1, "y": true}}})),
        "x=1;y=true;"
    );
}

#[test]
fn strings_interpolate_and_operators_follow_velocity() {
    assert_eq!(
        out(r#"#set($n = "w")#set($s = "a $n ${n}z")$s"#, json!({})),
        "a w wz"
    );
    assert_eq!(out("#set($s = 'a $n')$s", json!({})), "a $n");
    assert_eq!(out(r#"#set($s = "x" + 1 + 2)$s"#, json!({})), "x12");
    assert_eq!(
        out(
            "#set($d = 7 / 2)#set($r = 7 % 2)#set($f = 7.0 / 2)$d $r $f",
            json!({})
        ),
        "3 1 3.5"
    );
    // Velocity 1.7 compares values of different kinds by their text.
    assert_eq!(
        out(
            r#"#if("1" == 1)eq#end #if(!$missing && true)yes#end #if(1 != 2 and not false)ok#end"#,
            json!({})
        ),
        "eq yes ok"
    );
    assert_eq!(
        out(
            r#"$ctx.args.s.length() $ctx.args.s.toUpperCase() $ctx.args.s.split(",") $ctx.args.s.replaceAll("([a-z])", "<$1>")"#,
            json!({"args": {"s": "a,b"}})
        ),
        "3 A,B [a, b] <a>,<b>"
    );
}

#[test]
fn return_error_and_append_error_end_or_mark_the_run() {
    // `#return` replaces its own block's text with the value's JSON; enclosing blocks keep theirs.
    let o = run_with(r#"before#return({"a": 1})after"#, json!({}));
    assert_eq!((o.output.as_str(), o.returned), (r#"{"a":1}"#, true));
    let o = run_with("  #if(true)x#return#end y", json!({}));
    assert_eq!((o.output.as_str(), o.returned), ("  null", true));
    let o = run_with(r#"x$util.error("boom", "Custom", {"d": 1})y"#, json!({}));
    assert_eq!(o.output, "x");
    let e = o.raised.unwrap();
    assert_eq!(
        (e.message.as_str(), e.error_type.as_deref()),
        ("boom", Some("Custom"))
    );
    let o = run_with(r#"$util.appendError("soft")z"#, json!({}));
    assert_eq!((o.output.as_str(), o.appended.len()), ("z", 1));
    let o = run_with(
        "$util.unauthorized()",
        json!({"info": {"fieldName": "getPost", "parentTypeName": "Query"}}),
    );
    assert_eq!(
        o.raised.unwrap().message,
        "Not Authorized to access getPost on type Query"
    );
}

#[test]
fn util_functions() {
    let ctx = json!({"args": {"input": {"id": "1", "n": 2, "tags": ["a"], "none": null}}});
    assert_eq!(
        out(
            "$util.dynamodb.toDynamoDBJson($ctx.args.input)",
            ctx.clone()
        ),
        r#"{"M":{"id":{"S":"1"},"n":{"N":"2"},"tags":{"L":[{"S":"a"}]},"none":{"NULL":true}}}"#
    );
    // As the AWS SDK marshals: an empty string is NULL in a map, not in a list given alone.
    assert_eq!(
        out(
            r#"$util.dynamodb.toDynamoDBJson({"e": ""}) $util.dynamodb.toDynamoDBJson([""])"#,
            json!({})
        ),
        r#"{"M":{"e":{"NULL":true}}} {"L":[{"S":""}]}"#
    );
    assert_eq!(
        out(
            "$util.toJson($util.dynamodb.toMapValues({\"k\": true}))",
            json!({})
        ),
        r#"{"k":{"BOOL":true}}"#
    );
    assert_eq!(
        out(
            "$util.defaultIfNull($ctx.args.x, \"d\") $util.isNullOrEmpty(\"\") $util.isNullOrBlank(\" \") $util.isList([])",
            json!({})
        ),
        "d true true true"
    );
    assert_eq!(
        out(
            "$util.time.nowISO8601() $util.time.nowEpochSeconds()",
            json!({})
        ),
        "2024-12-07T11:30:00.123Z 1733571000"
    );
    assert_eq!(
        out(
            "$util.time.parseISO8601ToEpochMilliSeconds(\"2024-12-07T11:30:00.123Z\")",
            json!({})
        ),
        "1733571000123"
    );
    assert_eq!(
        out(
            "$util.toJson($util.map.copyAndRemoveAllKeys($ctx.args.input, [\"n\", \"tags\"]))",
            ctx.clone()
        ),
        r#"{"id":"1","none":null}"#
    );
    assert_eq!(
        out("$util.list.copyAndRemoveAll([1, 2, 3], [2])", json!({})),
        "[1, 3]"
    );
    assert_eq!(out("$util.parseJson('{\"a\": [1]}').a", json!({})), "[1]");
    assert_eq!(
        out("$util.authType()", json!({})),
        "User Pool Authorization"
    );
    assert_eq!(
        out("$util.autoId() $util.autoId()", json!({})),
        "00000000-0000-4000-8000-000000000001 00000000-0000-4000-8000-000000000002"
    );
}

#[test]
fn unknown_util_functions_are_errors_that_name_them_and_unknown_methods_null() {
    let t = Template::parse("$util.nosuch.thing(1)").unwrap();
    let e = t
        .render(&Value::empty_map(), &mut Env::new(0, ""))
        .unwrap_err();
    assert!(e.message.contains("$util.nosuch.thing"), "{}", e.message);
    // A method the value lacks is null, as in Java Velocity: a loud reference prints itself.
    assert_eq!(
        out("#set($x = [])$x.frobnicate() $!x.put(1)|", json!({})),
        "$x.frobnicate() |"
    );
}

#[test]
fn filters_become_dynamodb_expressions_and_subscription_filters() {
    let ctx = json!({"args": {"filter": {"title": {"eq": "a", "beginsWith": "b"}, "or": [{"n": {"gt": 1}}, {"n": {"between": [1, 2]}}], "not": {"tags": {"contains": "x"}}}}});
    let e: serde_json::Value = serde_json::from_str(&out(
        "$util.transform.toDynamoDBFilterExpression($ctx.args.filter)",
        ctx.clone(),
    ))
    .unwrap();
    assert_eq!(
        e,
        json!({
            "expression": "(#title = :title_eq AND begins_with(#title, :title_beginsWith)) AND (#n > :or_0_n_gt OR #n BETWEEN :or_1_n_between_1 AND :or_1_n_between_2) AND (NOT (contains(#tags, :not_tags_contains)))",
            "expressionNames": {"#title": "title", "#n": "n", "#tags": "tags"},
            "expressionValues": {":title_eq": {"S": "a"}, ":title_beginsWith": {"S": "b"}, ":or_0_n_gt": {"N": "1"},
                ":or_1_n_between_1": {"N": "1"}, ":or_1_n_between_2": {"N": "2"}, ":not_tags_contains": {"S": "x"}},
        })
    );
    let f = run_with("$util.toJson($util.transform.toSubscriptionFilter({\"and\": [{\"owner\": {\"eq\": \"u\"}}, {\"or\": [{\"a\": {\"eq\": 1}}, {\"b\": {\"ne\": 2}}]}]}).filterGroup)", json!({})).output;
    // One group per alternative of the `or`; the alternatives also stay among the filters under
    // `__or`, as behave's simulator has them.
    assert_eq!(
        f,
        r#"[{"filters":[{"fieldName":"owner","operator":"eq","value":"u"},{"fieldName":"__or","operator":"0","value":{"a":{"eq":1}}},{"fieldName":"__or","operator":"1","value":{"b":{"ne":2}}},{"fieldName":"a","operator":"eq","value":1}]},{"filters":[{"fieldName":"owner","operator":"eq","value":"u"},{"fieldName":"__or","operator":"0","value":{"a":{"eq":1}}},{"fieldName":"__or","operator":"1","value":{"b":{"ne":2}}},{"fieldName":"b","operator":"ne","value":2}]}]"#
    );
}

#[test]
fn syntax_errors_are_located() {
    for (t, line, col) in [
        ("a\n#if($x)", 2, 1),
        ("ok\n  #set($x = )", 2, 13),
        ("#end", 1, 1),
    ] {
        let e = Template::parse(t).unwrap_err();
        assert_eq!(e.line_col(t), (line, col), "{t}: {}", e.message);
    }
}

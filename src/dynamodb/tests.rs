//! The requests AppSync's DynamoDB resolvers send, against small tables.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::{Database, KeySchema, Table};

fn key(hash: &str, range: Option<&str>) -> KeySchema {
    KeySchema {
        hash: hash.into(),
        range: range.map(str::to_string),
    }
}

/// A `Post` table keyed by `id`, with an index `byOwner` (owner, createdAt), and three posts.
fn db() -> Database {
    let mut indexes = BTreeMap::new();
    indexes.insert("byOwner".to_string(), key("owner", Some("createdAt")));
    let mut db = Database::new(vec![Table::new(
        "PostTable",
        "Post",
        key("id", None),
        indexes,
    )]);
    for (id, owner, at, n) in [
        ("p1", "ann", "2024-01-02", 1),
        ("p2", "ann", "2024-01-01", 2),
        ("p3", "bob", "2024-01-03", 3),
    ] {
        let record = json!({"id": id, "owner": owner, "createdAt": at, "n": n});
        db.seed("PostTable", record.as_object().unwrap()).unwrap();
    }
    db
}

fn ok(db: &mut Database, req: Json) -> Json {
    db.execute("PostTable", &req)
        .unwrap_or_else(|e| panic!("{req}: {e}"))
}

fn err(db: &mut Database, req: Json) -> (String, String) {
    let e = db.execute("PostTable", &req).unwrap_err();
    (e.error_type, e.message)
}

#[test]
fn get_put_and_conditional_writes() {
    let mut db = db();
    assert_eq!(
        ok(
            &mut db,
            json!({"operation": "GetItem", "key": {"id": {"S": "p1"}}})
        )["n"],
        1
    );
    assert_eq!(
        ok(
            &mut db,
            json!({"operation": "GetItem", "key": {"id": {"S": "nope"}}})
        ),
        Json::Null
    );
    let put = json!({"operation": "PutItem", "key": {"id": {"S": "p1"}}, "attributeValues": {"owner": {"S": "eve"}},
        "condition": {"expression": "attribute_not_exists(#id)", "expressionNames": {"#id": "id"}}});
    let (t, _) = err(&mut db, put);
    assert_eq!(t, "DynamoDB:ConditionalCheckFailedException");
    let e = db.execute("PostTable", &json!({"operation": "DeleteItem", "key": {"id": {"S": "p3"}},
        "condition": {"expression": "#owner = :me", "expressionNames": {"#owner": "owner"}, "expressionValues": {":me": {"S": "ann"}}}})).unwrap_err();
    assert_eq!(
        e.data.unwrap()["owner"],
        "bob",
        "a failed condition returns the item as it is"
    );
    let deleted = ok(
        &mut db,
        json!({"operation": "DeleteItem", "key": {"id": {"S": "p3"}}}),
    );
    assert_eq!(deleted["id"], "p3");
    assert_eq!(db.tables().next().unwrap().items().count(), 2);
    assert_eq!(db.log.len(), 5);
    assert_eq!(
        db.log[3]["error"],
        "DynamoDB:ConditionalCheckFailedException"
    );
}

#[test]
fn updates_set_remove_add_and_guard_the_key() {
    let mut db = db();
    let out = ok(
        &mut db,
        json!({"operation": "UpdateItem", "key": {"id": {"S": "p1"}},
        "update": {"expression": "SET #t = :t, #c = if_not_exists(#c, :zero) + :one, #l = list_append(if_not_exists(#l, :empty), :tags) REMOVE #n ADD #v :one",
            "expressionNames": {"#t": "title", "#c": "count", "#l": "tags", "#n": "n", "#v": "version"},
            "expressionValues": {":t": {"S": "hi"}, ":zero": {"N": "0"}, ":one": {"N": "1"}, ":empty": {"L": []}, ":tags": {"L": [{"S": "a"}]}}}}),
    );
    assert_eq!(
        out,
        json!({"id": "p1", "owner": "ann", "createdAt": "2024-01-02", "title": "hi", "count": 1, "tags": ["a"], "version": 1})
    );
    let (t, m) = err(
        &mut db,
        json!({"operation": "UpdateItem", "key": {"id": {"S": "p1"}},
        "update": {"expression": "SET #id = :x", "expressionNames": {"#id": "id"}, "expressionValues": {":x": {"S": "p9"}}}}),
    );
    assert_eq!(
        (t.as_str(), m.contains("part of the key")),
        ("DynamoDB:ValidationException", true)
    );
    // Every placeholder given must be used, and every one used given.
    let (_, m) = err(
        &mut db,
        json!({"operation": "UpdateItem", "key": {"id": {"S": "p1"}},
        "update": {"expression": "SET #t = :t", "expressionNames": {"#t": "title", "#x": "x"}, "expressionValues": {":t": {"S": "a"}}}}),
    );
    assert!(m.contains("unused in expressions: keys: {#x}"), "{m}");
    let (_, m) = err(
        &mut db,
        json!({"operation": "UpdateItem", "key": {"id": {"S": "p1"}},
        "update": {"expression": "SET #t = :t", "expressionNames": {"#t": "title"}}}),
    );
    assert!(m.contains("attribute value: :t"), "{m}");
}

#[test]
fn keys_must_match_the_schema() {
    let mut db = db();
    for k in [
        json!({"owner": {"S": "ann"}}),
        json!({"id": {"S": "p1"}, "n": {"N": "1"}}),
        json!({"id": {"BOOL": true}}),
    ] {
        let (t, m) = err(&mut db, json!({"operation": "GetItem", "key": k}));
        assert_eq!(
            (t.as_str(), m.as_str()),
            (
                "DynamoDB:ValidationException",
                "The provided key element does not match the schema"
            )
        );
    }
    let (_, m) = err(
        &mut db,
        json!({"operation": "GetItem", "key": {"id": {"S": ""}}}),
    );
    assert!(m.contains("cannot contain an empty string"), "{m}");
}

#[test]
fn queries_read_an_index_in_order_limit_before_the_filter_and_page() {
    let mut db = db();
    let q = |extra: Json| {
        let mut r = json!({"operation": "Query", "index": "byOwner",
            "query": {"expression": "#owner = :owner", "expressionNames": {"#owner": "owner"}, "expressionValues": {":owner": {"S": "ann"}}}});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    let all = ok(&mut db, q(json!({})));
    let ids: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["p2", "p1"], "sorted by the index's range key");
    let back = ok(&mut db, q(json!({"scanIndexForward": false})));
    assert_eq!(back["items"][0]["id"], "p1");
    // The limit counts items read: one read, filtered out, and a token to go on.
    let first = ok(
        &mut db,
        q(
            json!({"limit": 1, "filter": {"expression": "#n > :one", "expressionNames": {"#n": "n"}, "expressionValues": {":one": {"N": "1"}}}}),
        ),
    );
    assert_eq!(
        (
            first["items"].as_array().unwrap().len(),
            first["scannedCount"].as_u64()
        ),
        (1, Some(1))
    );
    let token = first["nextToken"].as_str().unwrap().to_string();
    let second = ok(&mut db, q(json!({"limit": 1, "nextToken": token})));
    assert_eq!(
        (second["items"][0]["id"].as_str(), &second["nextToken"]),
        (Some("p1"), &Json::Null)
    );
    let (t, _) = err(&mut db, q(json!({"nextToken": "bm9wZQ=="})));
    assert_eq!(t, "DynamoDB:InvalidNextTokenException");
    let (_, m) = err(
        &mut db,
        json!({"operation": "Query",
        "query": {"expression": "#owner = :o", "expressionNames": {"#owner": "owner"}, "expressionValues": {":o": {"S": "ann"}}}}),
    );
    assert_eq!(m, "Query condition missed key schema element: id");
    let scan = ok(
        &mut db,
        json!({"operation": "Scan", "filter": {"expression": "begins_with(#c, :y) AND NOT contains(#o, :b)",
        "expressionNames": {"#c": "createdAt", "#o": "owner"}, "expressionValues": {":y": {"S": "2024"}, ":b": {"S": "bo"}}}}),
    );
    assert_eq!(scan["items"].as_array().unwrap().len(), 2);
    assert_eq!(db.log[0]["query"], "owner = \"ann\"");
}

#[test]
fn batches_read_write_and_delete() {
    let mut db = db();
    let got = ok(
        &mut db,
        json!({"operation": "BatchGetItem", "tables": {"PostTable": {"keys": [{"id": {"S": "p1"}}, {"id": {"S": "zz"}}]}}}),
    );
    assert_eq!(
        (
            got["data"]["PostTable"][0]["id"].as_str(),
            &got["data"]["PostTable"][1]
        ),
        (Some("p1"), &Json::Null)
    );
    ok(
        &mut db,
        json!({"operation": "BatchPutItem", "tables": {"PostTable": [{"id": {"S": "p4"}, "n": {"N": "4"}}]}}),
    );
    ok(
        &mut db,
        json!({"operation": "BatchDeleteItem", "tables": {"PostTable": [{"id": {"S": "p1"}}]}}),
    );
    let ids: Vec<String> = db
        .tables()
        .next()
        .unwrap()
        .items()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["p2", "p3", "p4"]);
}

#[test]
fn numbers_print_as_javascript_prints_them_and_integers_exactly() {
    use super::attribute::{number_text, to_typed};
    assert_eq!(
        (number_text(3.0), number_text(3.5), number_text(1e21)),
        ("3".into(), "3.5".into(), "1e+21".into())
    );
    assert_eq!(
        to_typed(&json!(9007199254740993i64)),
        json!({"N": "9007199254740993"})
    );
}

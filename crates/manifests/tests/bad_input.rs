//! Every kind of bad input produces a diagnostic with file, document and line, and never hides
//! the documents around it.

mod support;

use gantry_manifests::{Diagnostic, LoadOptions, Loaded, Loader, Severity, load_paths};
use gantry_snapshot::ObjectKey;
use std::path::{Path, PathBuf};
use support::{load, load_clean, messages};

fn only_diagnostic(loaded: &Loaded) -> &Diagnostic {
    match loaded.diagnostics.as_slice() {
        [only] => only,
        all => panic!("expected one diagnostic, got {all:#?}"),
    }
}

/// A scratch directory of its own for each test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("manifests-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

const SERVICE: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: echoserver
  namespace: example-ns
spec:
  ports:
  - port: 80
";

#[test]
fn wrong_field_type_names_the_field_path_and_its_line() {
    let text = "\
# three objects before the broken one
apiVersion: v1
kind: Namespace
metadata:
  name: example-ns
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: example-ns}
---
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: my-route
  namespace: example-ns
spec:
  rules:
  - backendRefs:
    - name: echoserver
      port: x
";
    let loaded = load(text);
    let diagnostic = only_diagnostic(&loaded);
    assert_eq!(
        diagnostic.to_string(),
        "test.yaml:21: document 3 (HTTPRoute example-ns/my-route): \
         spec.rules[0].backendRefs[0].port: invalid type: string \"x\", expected i32"
    );
    assert_eq!(diagnostic.severity, Severity::Error);
    assert!(loaded.has_errors());
    assert_eq!(loaded.snapshot.len(), 2, "the other documents still load");
}

#[test]
fn malformed_yaml_reports_the_parser_line() {
    let text =
        format!("{SERVICE}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n   oops: [\n");
    let loaded = load(&text);
    let diagnostic = only_diagnostic(&loaded);
    assert_eq!(diagnostic.document, Some(1));
    assert_eq!(diagnostic.line, Some(14));
    assert!(
        diagnostic.message.starts_with("invalid YAML: "),
        "{diagnostic}"
    );
    assert!(
        !diagnostic.message.contains("line 5 "),
        "positions are file lines: {diagnostic}"
    );
    assert_eq!(loaded.snapshot.services.len(), 1);
}

#[test]
fn context_positions_in_parser_messages_count_from_the_top_of_the_file() {
    let text = format!("{SERVICE}---\nspec:\n  rules:\n  - port: 1\n   bad: [\n");
    let diagnostic = only_diagnostic(&load(&text)).clone();
    assert_eq!(diagnostic.line, Some(13));
    assert_eq!(
        diagnostic.message,
        "invalid YAML: did not find expected key, while parsing a block mapping at line 11 column 3"
    );
}

#[test]
fn a_good_document_after_a_bad_one_still_loads() {
    let text = format!(
        "kind: [\n---\n{SERVICE}---\n- not an object\n---\n{}",
        SERVICE.replace("echoserver", "second")
    );
    let loaded = load(&text);
    assert_eq!(loaded.errors().count(), 2, "{:#?}", loaded.diagnostics);
    assert_eq!(loaded.snapshot.services.len(), 2);
    assert!(
        loaded
            .snapshot
            .services
            .contains_key(&ObjectKey::new("example-ns", "second"))
    );
}

#[test]
fn unknown_kind_is_only_a_warning() {
    let text = format!(
        "{SERVICE}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: apps\n"
    );
    let loaded = load(&text);
    let diagnostic = only_diagnostic(&loaded);
    assert_eq!(diagnostic.severity, Severity::Warning);
    assert!(!loaded.has_errors());
    assert_eq!(
        diagnostic.to_string(),
        "test.yaml:10: document 1 (Deployment apps/web): \
         skipped: gantry does not read Deployment objects (apiVersion apps/v1)"
    );
    assert_eq!(loaded.snapshot.len(), 1);
}

#[test]
fn known_kind_of_another_group_is_skipped_with_a_warning() {
    let text = "\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: istio-gw
spec: {}
";
    let loaded = load(text);
    let diagnostic = only_diagnostic(&loaded);
    assert_eq!(diagnostic.severity, Severity::Warning);
    assert_eq!(
        diagnostic.message,
        "skipped: Gateway is read as gateway.networking.k8s.io/v1, \
         gateway.networking.k8s.io/v1beta1, gateway.networking.k8s.io/v1alpha2, \
         not networking.istio.io/v1"
    );
    assert!(loaded.snapshot.gateways.is_empty());
}

#[test]
fn missing_name_is_an_error_naming_the_kind() {
    let text = "apiVersion: v1\nkind: Service\nmetadata:\n  namespace: x\nspec: {}\n";
    let loaded = load(text);
    assert_eq!(
        only_diagnostic(&loaded).to_string(),
        "test.yaml:1: document 0 (Service x/(no name)): missing metadata.name"
    );
    assert!(loaded.snapshot.is_empty());
}

#[test]
fn missing_api_version_or_kind_is_an_error() {
    let loaded =
        load("kind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: a}\n");
    assert_eq!(
        messages(&loaded),
        [
            "test.yaml:1: document 0: missing apiVersion",
            "test.yaml:4: document 1: missing kind"
        ]
    );
    let loaded = load("apiVersion: v1\nkind: 42\n");
    assert_eq!(
        only_diagnostic(&loaded).message,
        "kind must be a string, found a number"
    );
}

#[test]
fn duplicate_object_names_both_places_and_keeps_the_first() {
    let dir = scratch("duplicate");
    std::fs::write(dir.join("a.yaml"), SERVICE).unwrap();
    let second = format!("# again\n---\n{}", SERVICE.replace("port: 80", "port: 81"));
    std::fs::write(dir.join("b.yaml"), second).unwrap();
    let loaded = load_paths(std::slice::from_ref(&dir));
    let diagnostic = only_diagnostic(&loaded);
    let a = dir.join("a.yaml").display().to_string();
    let b = dir.join("b.yaml").display().to_string();
    assert_eq!(
        diagnostic.to_string(),
        format!(
            "{b}:3: document 0 (Service example-ns/echoserver): duplicate Service \
             example-ns/echoserver, first defined at {a}:1 (document 0); this one is ignored"
        )
    );
    let kept = &loaded.snapshot.services[&ObjectKey::new("example-ns", "echoserver")];
    let port = kept.spec.as_ref().unwrap().ports.as_ref().unwrap()[0].port;
    assert_eq!(port, 80);
}

#[test]
fn same_name_in_other_kinds_or_namespaces_is_not_a_duplicate() {
    let text = format!(
        "{SERVICE}---\n{}---\n{}",
        SERVICE.replace("example-ns", "other-ns"),
        SERVICE
            .replace("kind: Service", "kind: ConfigMap")
            .replace("spec:\n  ports:\n  - port: 80\n", "")
    );
    let loaded = load_clean(&text);
    assert_eq!(loaded.snapshot.len(), 3);
}

#[test]
fn truncated_file_reports_where_it_ends() {
    let full = "\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: gw
  namespace: ns
spec:
  gatewayClassName: \"aws-alb-gateway-class\"
  listeners:
  - name: http
    protocol: HTTP
    port: 80
";
    assert!(!load(full).has_errors());
    // Cut inside the quoted class name: the scalar never ends.
    let cut = &full[..full.find("alb-gateway").unwrap()];
    let loaded = load(cut);
    let diagnostic = only_diagnostic(&loaded);
    assert!(
        diagnostic.message.starts_with("invalid YAML: "),
        "{diagnostic}"
    );
    assert_eq!(diagnostic.line, Some(7), "{diagnostic}");
    // Cut before `spec`: the YAML is fine, the object is not.
    let cut = &full[..full.find("spec:").unwrap()];
    assert_eq!(
        only_diagnostic(&load(cut)).to_string(),
        "test.yaml:1: document 0 (Gateway ns/gw): missing field `spec`"
    );
}

#[test]
fn every_truncation_of_the_examples_is_reported_or_loads_never_panics() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/chaining/nlb.yaml");
    let text = std::fs::read_to_string(examples).unwrap();
    for cut in (0..text.len()).step_by(7) {
        let loaded = load(&text[..cut]);
        for diagnostic in &loaded.diagnostics {
            assert!(diagnostic.line.is_some(), "{diagnostic}");
        }
    }
}

#[test]
fn binary_garbage_is_refused_with_its_line() {
    let mut bytes = b"apiVersion: v1\nkind: Service\n".to_vec();
    bytes.extend([0x00, 0xff, 0x13, 0x37, 0x00, b'\n']);
    let mut loader = Loader::new();
    loader.load_bytes("garbage.bin", &bytes);
    let loaded = loader.finish();
    assert_eq!(
        only_diagnostic(&loaded).to_string(),
        "garbage.bin:3: binary data (a NUL byte), not a YAML manifest; file skipped"
    );
}

#[test]
fn non_utf8_document_is_an_error_and_its_neighbours_load() {
    let mut bytes = SERVICE.as_bytes().to_vec();
    bytes.extend(b"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n---\n");
    bytes.extend(SERVICE.replace("echoserver", "other").as_bytes());
    let mut loader = Loader::new();
    loader.load_bytes("latin1.yaml", &bytes);
    let loaded = loader.finish();
    assert_eq!(
        only_diagnostic(&loaded).to_string(),
        "latin1.yaml:13: document 1: not UTF-8 text (invalid byte 0xe9); is this a binary file?"
    );
    assert_eq!(loaded.snapshot.services.len(), 2);
}

#[test]
fn utf16_files_are_named_as_such() {
    let mut loader = Loader::new();
    loader.load_bytes("utf16.yaml", b"\xFF\xFEa\0:\0 \x001\0");
    let loaded = loader.finish();
    assert_eq!(
        only_diagnostic(&loaded).message,
        "the file is UTF-16-encoded; manifests must be UTF-8"
    );
}

/// What YAML allows around a document loads silently: each case holds one Service.
#[test]
fn byte_order_marks_and_empty_documents_load_silently() {
    let cases = [
        ("a UTF-8 byte order mark", format!("\u{feff}---\n{SERVICE}")),
        (
            "empty documents",
            format!("---\n# nothing\n---\n\n---\n~\n---\n{SERVICE}...\n---\n"),
        ),
    ];
    for (case, text) in cases {
        let loaded = load(&text);
        assert!(
            loaded.diagnostics.is_empty(),
            "{case}: {:#?}",
            loaded.diagnostics
        );
        assert_eq!(loaded.snapshot.services.len(), 1, "{case}");
    }
}

#[test]
fn files_over_the_size_limit_are_refused_unread() {
    let dir = scratch("huge");
    let huge = dir.join("huge.yaml");
    let file = std::fs::File::create(&huge).unwrap();
    // Sparse: takes no disk space, and the loader must not read it anyway.
    file.set_len(LoadOptions::DEFAULT_MAX_FILE_BYTES + 1)
        .unwrap();
    let loaded = load_paths(std::slice::from_ref(&huge));
    assert_eq!(
        only_diagnostic(&loaded).to_string(),
        format!(
            "{}: file is larger than the 64 MiB limit; not loaded",
            huge.display()
        )
    );
}

#[test]
fn readers_over_the_size_limit_are_refused() {
    let mut loader = Loader::with_options(LoadOptions {
        max_file_bytes: 100,
    });
    loader.load_reader("<stdin>", std::io::repeat(b'a'));
    loader.load_str("big.yaml", &SERVICE.repeat(2));
    let loaded = loader.finish();
    assert_eq!(
        messages(&loaded),
        [
            "<stdin>: file is larger than the 100 bytes limit; not loaded",
            "big.yaml: file is larger than the 100 bytes limit; not loaded"
        ]
    );
}

#[test]
fn many_documents_load_in_one_pass() {
    let count = 20_000;
    let mut text = String::new();
    for i in 0..count {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n"
        ));
    }
    // The last one is broken: its line must be counted right after all the others.
    text.push_str("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [\n");
    let started = std::time::Instant::now();
    let loaded = load(&text);
    assert_eq!(loaded.snapshot.config_maps.len(), count);
    let diagnostic = only_diagnostic(&loaded);
    assert_eq!(diagnostic.document, Some(count));
    assert_eq!(diagnostic.line, Some(count * 5 + 5));
    assert!(started.elapsed().as_secs() < 60, "loading is linear");
}

#[test]
fn deeply_nested_input_is_an_error_not_a_stack_overflow() {
    for text in [
        "[".repeat(100_000),
        "{a: ".repeat(100_000),
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: {}",
            "[".repeat(100_000)
        ),
        (0..1000)
            .map(|depth| format!("{}- \n", " ".repeat(depth * 2)))
            .collect(),
    ] {
        let loaded = load(&text);
        let diagnostic = only_diagnostic(&loaded);
        assert!(
            diagnostic.message.contains("nested too deeply"),
            "{diagnostic}"
        );
        assert!(diagnostic.line.is_some());
    }
}

#[test]
fn alias_bombs_are_refused() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (i, letter) in "bcdefghij".chars().enumerate() {
        let previous = (b'a' + i as u8) as char;
        text.push_str(&format!("{letter}: &{letter} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"));
    }
    let loaded = load(&text);
    assert!(
        only_diagnostic(&loaded)
            .message
            .contains("repetition limit")
    );
}

#[test]
fn non_mapping_documents_are_errors() {
    let loaded = load("- a\n- b\n---\njust text\n---\n42\n");
    let messages: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
    let expected = |line, document, found| {
        format!(
            "test.yaml:{line}: document {document}: expected a Kubernetes object \
             (a mapping with apiVersion, kind and metadata), found {found}"
        )
    };
    assert_eq!(
        messages,
        [
            expected(1, 0, "a sequence"),
            expected(4, 1, "a string"),
            expected(6, 2, "a number")
        ]
    );
}

#[test]
fn unreadable_paths_are_errors() {
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-file.yaml");
    let loaded = load_paths(std::slice::from_ref(&missing));
    let diagnostic = only_diagnostic(&loaded);
    assert!(
        diagnostic
            .to_string()
            .starts_with(&format!("{}: cannot read: ", missing.display())),
        "{diagnostic}"
    );
}

#[test]
fn directories_are_walked_recursively_in_name_order() {
    let dir = scratch("walk");
    std::fs::create_dir_all(dir.join("b/nested")).unwrap();
    let cm = |name: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n");
    std::fs::write(dir.join("b/nested/z.yml"), cm("same")).unwrap();
    std::fs::write(dir.join("a.yaml"), cm("same")).unwrap();
    std::fs::write(
        dir.join("c.json"),
        r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "json"}}"#,
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "not: [yaml").unwrap();
    let loaded = load_paths(std::slice::from_ref(&dir));
    // a.yaml comes first, so the copy in b/nested is the duplicate.
    let diagnostic = only_diagnostic(&loaded);
    assert_eq!(
        diagnostic.file,
        dir.join("b/nested/z.yml").display().to_string()
    );
    assert_eq!(loaded.snapshot.config_maps.len(), 2);
    assert!(
        loaded
            .snapshot
            .config_maps
            .contains_key(&ObjectKey::new("default", "json"))
    );

    let empty = scratch("walk-empty");
    let loaded = load_paths(&[empty]);
    assert_eq!(only_diagnostic(&loaded).severity, Severity::Warning);
}

#[test]
fn namespaces_are_defaulted_for_namespaced_kinds_only() {
    let text = "\
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: cls
  namespace: ignored
spec:
  controllerName: gateway.k8s.aws/alb
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: HTTPRoute
metadata:
  name: r
spec: {}
";
    let loaded = load_clean(text);
    let class = &loaded.snapshot.gateway_classes[&ObjectKey::cluster("cls")];
    assert_eq!(class.metadata.namespace, None);
    let route = &loaded.snapshot.http_routes[&ObjectKey::new("default", "r")];
    assert_eq!(route.metadata.namespace.as_deref(), Some("default"));
}

#[test]
fn every_api_version_users_write_loads_into_the_same_type() {
    let mut text = String::new();
    for version in ["v1", "v1alpha2", "v1alpha3"] {
        text.push_str(&format!(
            "---\napiVersion: gateway.networking.k8s.io/{version}\nkind: TLSRoute\n\
             metadata: {{name: tls-{version}, namespace: ns}}\n\
             spec: {{hostnames: [a.example.com], rules: []}}\n"
        ));
    }
    for version in ["v1", "v1beta1"] {
        text.push_str(&format!(
            "---\napiVersion: gateway.k8s.aws/{version}\nkind: LoadBalancerConfiguration\n\
             metadata: {{name: lbc-{version}, namespace: ns}}\nspec: {{}}\n"
        ));
    }
    text.push_str(
        "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n\
         metadata: {name: es, namespace: ns}\naddressType: IPv4\nendpoints: []\n",
    );
    let loaded = load_clean(&text);
    assert_eq!(loaded.snapshot.tls_routes.len(), 3);
    assert_eq!(loaded.snapshot.load_balancer_configurations.len(), 2);
    assert_eq!(loaded.snapshot.endpoint_slices.len(), 1);
}

#[test]
fn list_items_load_like_documents_and_their_errors_are_located() {
    let text = "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: a, namespace: ns}
- apiVersion: v1
  kind: Service
  metadata:
    name: b
    namespace: ns
  spec:
    ports:
    - port: eighty
- 7
";
    let loaded = load(text);
    assert_eq!(
        messages(&loaded),
        [
            "test.yaml:14: document 0 (Service ns/b): items[1].spec.ports[0].port: \
             invalid type: string \"eighty\", expected i32",
            "test.yaml:15: document 0: items[2]: expected a Kubernetes object \
             (a mapping with apiVersion, kind and metadata), found a number"
        ]
    );
    assert_eq!(loaded.snapshot.services.len(), 1);
}

#[test]
fn strings_are_not_numbers_as_the_api_server_sees_them() {
    // kubectl sends YAML as JSON: `port: "80"` is a string and is refused, whatever YAML allows.
    let text = SERVICE.replace("port: 80", "port: \"80\"");
    let diagnostic = only_diagnostic(&load(&text)).clone();
    assert_eq!(diagnostic.line, Some(8));
    assert!(
        diagnostic
            .message
            .starts_with("spec.ports[0].port: invalid type: string")
    );
}

#[test]
fn duplicates_inside_a_list_name_the_item() {
    let text = "\
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
";
    let loaded = load(text);
    assert_eq!(
        only_diagnostic(&loaded).to_string(),
        "test.yaml:5: document 0 (ConfigMap default/a): duplicate ConfigMap default/a, \
         first defined at test.yaml:1 (document 0, items[0]); this one is ignored"
    );
}

#[test]
fn big_lists_load_in_one_pass() {
    let count = 20_000;
    let mut text = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for i in 0..count {
        text.push_str(&format!(
            "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-{i}\n"
        ));
    }
    let started = std::time::Instant::now();
    let loaded = load_clean(&text);
    assert_eq!(loaded.snapshot.config_maps.len(), count);
    assert!(started.elapsed().as_secs() < 60, "loading is linear");
}

#[test]
fn metadata_of_the_wrong_type_is_named_precisely() {
    let loaded = load("apiVersion: v1\nkind: ConfigMap\nmetadata: cm\n");
    assert_eq!(
        only_diagnostic(&loaded).to_string(),
        "test.yaml:3: document 0 (ConfigMap default/(no name)): metadata: invalid type: \
         string \"cm\", expected ObjectMeta"
    );
}

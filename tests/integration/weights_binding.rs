//! Binding weight tensors to layers: PyTorch layouts, default names, clear errors.

use sparsim::inputs::parse_workload_text;
use sparsim::weights::files::NamedTensor;
use sparsim::weights::{WeightSource, network_weights};
use sparsim::workload::scalesim_csv::TopologyForm;

const NET: &str = r#"
[[layer]]
name = "conv1"
type = "conv2d"
ifmap = [5, 5]
channels = 2
filters = 3
kernel = [2, 3]

[[layer]]
name = "relu"
type = "relu"

[[layer]]
name = "lstm"
type = "lstm"
input = 2
hidden = 1
steps = 3

[[layer]]
name = "head"
type = "fc"
in_features = 4
out_features = 2
weights = "classifier.weight"
"#;

fn tensor(name: &str, shape: &[usize]) -> NamedTensor {
    let len = shape.iter().product();
    NamedTensor {
        name: name.into(),
        shape: shape.to_vec(),
        data: (0..len).map(|i| i as f32 + 1.0).collect(),
    }
}

fn tensors() -> Vec<NamedTensor> {
    vec![
        tensor("conv1.weight", &[3, 2, 2, 3]),
        tensor("lstm.weight_ih_l0", &[4, 2]),
        tensor("lstm.weight_hh_l0", &[4, 1]),
        tensor("classifier.weight", &[2, 4]),
    ]
}

fn bind(ts: Vec<NamedTensor>) -> Result<Vec<Option<sparsim::weights::LayerWeights>>, String> {
    let net = parse_workload_text(NET, "net.toml", "net", "toml", TopologyForm::Detect).unwrap();
    network_weights(
        &net,
        &WeightSource::Tensors {
            origin: "w.npz".into(),
            tensors: ts,
        },
    )
    .map_err(|e| e.to_string())
}

#[test]
fn pytorch_layouts_become_channel_fastest_matrices() {
    let w = bind(tensors()).unwrap();
    // conv [F=3, C=2, kh=2, kw=3] → W is 3 × (2·3·2) with j = (r·kw + q)·C + c.
    let conv = &w[0].as_ref().unwrap().matrices[0];
    assert_eq!((conv.n, conv.k), (3, 12));
    // Filter 1, channel 1, tap (r=1, q=2): PyTorch flat index ((1·2 + 1)·2 + 1)·3 + 2 = 23 → value 24.
    assert_eq!(conv.get(1, (3 + 2) * 2 + 1), 24.0);
    assert!(w[1].is_none(), "relu has no weights");
    // LSTM: [W_ih | W_hh] along K.
    let lstm = &w[2].as_ref().unwrap().matrices[0];
    assert_eq!((lstm.n, lstm.k), (4, 3));
    assert_eq!(lstm.row(2), &[5.0, 6.0, 3.0]);
    assert_eq!(
        w[3].as_ref().unwrap().matrices[0].row(1),
        &[5.0, 6.0, 7.0, 8.0]
    );
}

#[test]
fn binding_errors_name_layer_tensor_expected_and_found() {
    let mut ts = tensors();
    ts[0] = tensor("conv1.weight", &[3, 2, 3, 3]);
    assert_eq!(
        bind(ts).unwrap_err(),
        "w.npz: layer `conv1`: tensor `conv1.weight` has shape [3, 2, 3, 3]; expected [filters, channels/groups, kh, kw] = [3, 2, 2, 3]"
    );
    let ts: Vec<NamedTensor> = tensors()
        .into_iter()
        .filter(|t| t.name != "lstm.weight_hh_l0")
        .collect();
    assert_eq!(
        bind(ts).unwrap_err(),
        "w.npz: layer `lstm`: tensor `lstm.weight_hh_l0` not found (the file has conv1.weight, lstm.weight_ih_l0, classifier.weight); name it with the layer's `weights` key"
    );
    let mut ts = tensors();
    ts[3] = tensor("classifier.weight", &[4, 2]);
    assert_eq!(
        bind(ts).unwrap_err(),
        "w.npz: layer `head`: tensor `classifier.weight` has shape [4, 2]; expected [out_features, in_features] = [2, 4]"
    );
}

#[test]
fn non_finite_weights_are_refused_naming_layer_tensor_and_index() {
    let mut ts = tensors();
    ts[0].data[23] = f32::NAN; // conv1.weight [3, 2, 2, 3]: C-order index 23 = [1, 1, 1, 2]
    assert_eq!(
        bind(ts).unwrap_err(),
        "w.npz: layer `conv1`: tensor `conv1.weight` holds NaN at [1, 1, 1, 2]: weights must be finite numbers"
    );
    let mut ts = tensors();
    ts[2].data[3] = f32::NEG_INFINITY; // lstm.weight_hh_l0 [4, 1]
    assert_eq!(
        bind(ts).unwrap_err(),
        "w.npz: layer `lstm`: tensor `lstm.weight_hh_l0` holds -inf at [3, 0]: weights must be finite numbers"
    );
    // A tensor no layer reads may hold anything.
    let mut ts = tensors();
    ts.push(NamedTensor {
        name: "bn.running_var".into(),
        shape: vec![1],
        data: vec![f32::NAN],
    });
    assert!(bind(ts).is_ok());
}

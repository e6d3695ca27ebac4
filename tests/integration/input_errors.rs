//! Every malformed config or workload form gets a clear error that names the file, the
//! line (and column for TOML), the key or layer, the bad value and what is allowed. The whole
//! message is pinned: a change to any of them is a deliberate change to this table.

use sparsim::config::scalesim_cfg::parse_scalesim_cfg;
use sparsim::config::validate::parse_arch_toml;
use sparsim::inputs::parse_workload_text;
use sparsim::workload::scalesim_csv::TopologyForm;

/// (file name, content, expected error). `a*.toml` are architectures, `c*.cfg` SCALE-Sim
/// configs, `w*.toml` workloads, `t*.csv` SCALE-Sim topologies, `n*.txt` ConvNetDraw.
const CASES: &[(&str, &str, &str)] = &[
    (
        "w14.toml",
        "[[layer]]\nname = \"l\"\ntype = \"lstm\"\ninput = 4\nhidden = 8\nsteps = 2\nweights = \"only_one\"\n",
        "w14.toml:7:11: layer[0].weights: invalid value \"only_one\": expected a pair of tensor names [\"weight_ih\", \"weight_hh\"]",
    ),
    (
        "c12.cfg",
        "[general]\nrun_name = t\n[architecture_presets]\nArrayHeight: 32\nArrayWidth: 32\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nBandwidth : 10\nDataflow : ws\n[layout]\nIfmapSRAMBankBandwidth: 10\nFilterSRAMBankBandwidth: 10\n[sparsity]\nSparsitySupport : false\n[run_presets]\nInterfaceBandwidth: USER\nUseRamulatorTrace: True",
        "c12.cfg:18: UseRamulatorTrace: invalid value `True`: expected False (sparsim has its own DRAM model, not Ramulator traces)",
    ),
    (
        "c13.cfg",
        "[general]\nrun_name = t\n[architecture_presets]\nArrayHeight: 32\nArrayWidth: 32\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nBandwidth : 10\nDataflow : ws\n[layout]\nIfmapSRAMBankBandwidth: 10\nIfmapCustomLayout: True\nFilterSRAMBankBandwidth: 10\n[sparsity]\nSparsitySupport : false\n[run_presets]\nInterfaceBandwidth: USER",
        "c13.cfg:13: IfmapCustomLayout: invalid value `True`: expected False (custom SRAM bank layouts are not modelled)",
    ),
    (
        "c1.cfg",
        "[general]\nrun_name = t\n[architecture_presets]\nArrayHeight: 32\nArrayWidth: 32\nArrayDepth: 4\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nBandwidth : 10\nDataflow : ws\n[layout]\nIfmapSRAMBankBandwidth: 10\nFilterSRAMBankBandwidth: 10\n[sparsity]\nSparsitySupport : false\n[run_presets]\nInterfaceBandwidth: USER",
        "c1.cfg:6: ArrayDepth: unknown key in [architecture_presets]: expected one of ArrayHeight, ArrayWidth, IfmapSramSzkB, FilterSramSzkB, OfmapSramSzkB, IfmapOffset, FilterOffset, OfmapOffset, Bandwidth, Dataflow, MemoryBanks, ReadRequestBuffer, WriteRequestBuffer",
    ),
    (
        "c2.cfg",
        "[general]\nrun_name = t\n[architecture_presets]\nArrayWidth: 32\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nBandwidth : 10\nDataflow : ws\n[layout]\nIfmapSRAMBankBandwidth: 10\nFilterSRAMBankBandwidth: 10\n[sparsity]\nSparsitySupport : false\n[run_presets]\nInterfaceBandwidth: USER",
        "c2.cfg: ArrayHeight: [architecture_presets] has no `ArrayHeight`; SCALE-Sim requires it",
    ),
    (
        "c3.cfg",
        "[general]\nrun_name = t\n[architecture_presets]\nArrayHeight: 0\nArrayWidth: 32\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nBandwidth : 10\nDataflow : ws\n[layout]\nIfmapSRAMBankBandwidth: 10\nFilterSRAMBankBandwidth: 10\n[sparsity]\nSparsitySupport : false\n[run_presets]\nInterfaceBandwidth: USER",
        "c3.cfg:4: ArrayHeight: invalid value `0`: expected an integer from 1 to 65536",
    ),
    (
        "c4.cfg",
        "[general]\nrun_name = t\n[architecture_presets]\nArrayHeight: 32\nArrayWidth: 32\nIfmapSramSzkB: 64kB\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nBandwidth : 10\nDataflow : ws\n[layout]\nIfmapSRAMBankBandwidth: 10\nFilterSRAMBankBandwidth: 10\n[sparsity]\nSparsitySupport : false\n[run_presets]\nInterfaceBandwidth: USER",
        "c4.cfg:6: IfmapSramSzkB: invalid value `64kB`: expected an integer from 1 to 1073741824",
    ),
    (
        "c5.cfg",
        "[general]\nrun_name = t\n[architecture_presets]\nArrayHeight: 32\nArrayWidth: 32\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nBandwidth : 10\nDataflow : ws\n[layout]\nIfmapSRAMBankBandwidth: 10\nFilterSRAMBankBandwidth: 10\n[sparsity]\nSparsitySupport : false\n[run_presets]\nInterfaceBandwidth: user",
        "c5.cfg:17: InterfaceBandwidth: invalid value `user`: expected USER or CALC (upper case, as SCALE-Sim compares)",
    ),
    (
        "c6.cfg",
        "[general]\nrun_name = t\n[architecture_presets]\nArrayHeight: 32\nArrayWidth: 32\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nBandwidth : 10\nDataflow : ws\n[layout]\nIfmapSRAMBankBandwidth: 10\nFilterSRAMBankBandwidth: 10\n[sparsity]\nSparsitySupport : true\nOptimizedMapping : true\n[run_presets]\nInterfaceBandwidth: USER",
        "c6.cfg:16: OptimizedMapping: invalid value `true`: expected false (SCALE-Sim's optimized sparse mapping, random per-column N, is not modelled)",
    ),
    (
        "c7.cfg",
        "[general]\nrun_name = t\n[architecture_presets]\nArrayHeight: 32\nArrayWidth: 32\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nBandwidth : 10\nDataflow : ws\n[Layout]\nIfmapSRAMBankBandwidth: 10\nFilterSRAMBankBandwidth: 10\n[sparsity]\nSparsitySupport : false\n[run_presets]\nInterfaceBandwidth: USER",
        "c7.cfg:11: unknown section [Layout]: expected one of [general], [architecture_presets], [layout], [sparsity], [run_presets], [network_presets] (section names are case-sensitive)",
    ),
    (
        "c8.cfg",
        "[general]\nrun_name = t\n[architecture_presets]\nArrayHeight: 32\nArrayWidth: 32\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nBandwidth : 10\nDataflow : ws\n[layout]\nIfmapSRAMBankBandwidth: 0\nFilterSRAMBankBandwidth: 10\n[sparsity]\nSparsitySupport : false\n[run_presets]\nInterfaceBandwidth: USER",
        "c8.cfg:12: IfmapSRAMBankBandwidth: invalid value `0`: expected an integer from 1 to 1073741824",
    ),
    (
        "c9.cfg",
        "[general]\nrun_name = t\n[architecture_presets]\nArrayHeight: 32\nArrayWidth: 32\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nBandwidth 10\nDataflow : ws\n[layout]\nIfmapSRAMBankBandwidth: 10\nFilterSRAMBankBandwidth: 10\n[sparsity]\nSparsitySupport : false\n[run_presets]\nInterfaceBandwidth: USER",
        "c9.cfg:9: `Bandwidth 10` is neither a `[section]` nor a `key = value` line",
    ),
    (
        "c10.cfg",
        "[general]\nrun_name = t\n[architecture_presets]\nArrayHeight: 32\nArrayWidth: 32\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nBandwidth : 10\nDataflow : ws\n[layout]\nFilterSRAMBankBandwidth: 10\n[sparsity]\nSparsitySupport : false\n[run_presets]\nInterfaceBandwidth: USER",
        "c10.cfg: IfmapSRAMBankBandwidth: [layout] has no `IfmapSRAMBankBandwidth`; SCALE-Sim requires it",
    ),
    (
        "c11.cfg",
        "[general]\nrun_name = t\n[architecture_presets]\nArrayHeight: 32\nArrayWidth: 32\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nBandwidth : 0\nDataflow : ws\n[layout]\nIfmapSRAMBankBandwidth: 10\nFilterSRAMBankBandwidth: 10\n[sparsity]\nSparsitySupport : false\n[run_presets]\nInterfaceBandwidth: USER",
        "c11.cfg:9: Bandwidth: invalid value `0`: expected a positive integer (words per cycle), or a comma list whose first value is one",
    ),
    (
        "t1.csv",
        "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nL1, 8, 8, 3, 3, 4, 8,\n",
        "t1.csv:2: expected 8 columns (name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides) and an optional N:M column, found 7",
    ),
    (
        "t2.csv",
        "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nL1, 8, 8, 3, 3, four, 8, 1,\n",
        "t2.csv:2: Channels (column 6) of `L1` is `four`: expected an integer from 1 to 16777216",
    ),
    (
        "t3.csv",
        "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nL1, 8, 8, 3, 3, 4, 0, 1,\n",
        "t3.csv:2: Num Filter (column 7) of `L1` is `0`: expected an integer from 1 to 16777216",
    ),
    (
        "t4.csv",
        "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nL1, 8, 8, 3, 3, 4, 8, 1, 5:4,\n",
        "t4.csv:2: N:M column of `L1` is `5:4`: expected 1 ≤ N ≤ M ≤ 1024 (as for --nm), found N = 5, M = 4",
    ),
    (
        "t5.csv",
        "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n",
        "t5.csv: no layer rows after the header (line 1 is always the header, as in SCALE-Sim)",
    ),
    (
        "t6.csv",
        "L1, 8, 8, 3, 3, 4, 8, 1,\n",
        "t6.csv:1: `L1, 8, 8, 3, 3, 4, 8, 1,` looks like a layer row, but the first line is always the header (as in SCALE-Sim, which skips it): add a header such as `Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,` above it",
    ),
    (
        // Two rows without a header: the first was read as the header and lost.
        "t6b.csv",
        "L1, 8, 8, 3, 3, 4, 8, 1,\nL2, 8, 8, 3, 3, 4, 8, 1,\n",
        "t6b.csv:1: `L1, 8, 8, 3, 3, 4, 8, 1,` looks like a layer row, but the first line is always the header (as in SCALE-Sim, which skips it): add a header such as `Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,` above it",
    ),
    (
        // M larger than --nm allows.
        "t6c.csv",
        "Layer Name, M, N, K, N:M\ng, 4, 4, 64, 1:100000\n",
        "t6c.csv:2: N:M column of `g` is `1:100000`: expected 1 ≤ N ≤ M ≤ 1024 (as for --nm), found N = 1, M = 100000",
    ),
    (
        // Three 2²³ dimensions: M·N·K wrapped to 0 MACs.
        "t6d.toml",
        "name = \"g\"\n[[layer]]\nname = \"g\"\ntype = \"gemm\"\nm = 8388608\nn = 8388608\nk = 8388608\n",
        "t6d.toml:2:1: layer[0]: gemm layer `g`: 590295810358705651712 MACs (M 8388608 × N 8388608 × K 8388608) are too many to simulate: at most 2^62",
    ),
    (
        // batch·Ho·Wo wrapped before the size check.
        "t6e.toml",
        "name = \"c\"\n[[layer]]\nname = \"c\"\ntype = \"conv2d\"\nbatch = 16777216\nifmap = [16777216, 16777216]\nchannels = 1\nfilters = 4\nkernel = [1, 1]\n",
        "t6e.toml:2:1: layer[0]: conv2d layer `c`: 18889465931478580854784 MACs (M 4722366482869645213696 × N 4 × K 1) are too many to simulate: at most 2^62",
    ),
    (
        "t7.csv",
        "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nL1, 8, 8, 9, 3, 4, 8, 1,\n",
        "t7.csv:2: layer `L1`: kernel height 9 is larger than the input height 8",
    ),
    (
        "t8.csv",
        "",
        "t8.csv: empty topology: expected a header line and layer rows",
    ),
    (
        "t9.csv",
        "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nL1, 8, 8, 3, 3, 4, 8, 1, 2-4,\n",
        "t9.csv:2: N:M column of `L1` is `2-4`: expected `N:M`, e.g. `2:4`",
    ),
    (
        "a1.toml",
        "[array]\nrows = 32\ncols = 32\nrowz = 3\n",
        "a1.toml:4:1: array.rowz: unknown field `rowz`, expected one of `rows`, `cols`, `dataflow`",
    ),
    (
        "a2.toml",
        "[array]\nrows = 0\ncols = 32\n",
        "a2.toml:2:8: array.rows: invalid value: integer `0`, expected an integer from 1 to 65536",
    ),
    (
        "a3.toml",
        "[array]\nrows = 4\ncols = 4\n[sram]\nifmap_kb = 0\n",
        "a3.toml:5:12: sram.ifmap_kb: invalid value: integer `0`, expected an integer from 1 to 1073741824",
    ),
    (
        "a4.toml",
        "[array]\nrows = 4\ncols = 4\n[dram]\nifmap_bw = 0\n",
        "a4.toml:5:12: dram.ifmap_bw: invalid value: integer `0`, expected a number of words per cycle, at least 0.001",
    ),
    (
        "a5.toml",
        "[array]\nrows = \"32\"\ncols = 4\n",
        "a5.toml:2:8: array.rows: invalid type: string \"32\", expected an integer from 1 to 65536",
    ),
    (
        "a6.toml",
        "[array]\nrows = 4\ncols = 4\ndataflow = \"rs\"\n",
        "a6.toml:4:12: array.dataflow: unknown variant `rs`, expected one of `ws`, `os`, `is`",
    ),
    (
        "a7.toml",
        "name = \"x\"\n[array]\n",
        "a7.toml:2:1: array.rows: missing field `rows`",
    ),
    (
        "a8.toml",
        "[array]\nrows = 4\ncols = 4\n[dram]\nfilter_bw = -1.5\n",
        "a8.toml:5:13: dram.filter_bw: invalid value: floating point `-1.5`, expected a number of words per cycle, at least 0.001",
    ),
    (
        "a9.toml",
        "[array]\nrows = 4\ncols = 4\n[foo]\nx = 1\n",
        "a9.toml:4:2: foo: unknown field `foo`, expected one of `name`, `description`, `clock_mhz`, `array`, `sram`, `word_bytes`, `dram`, `memory`, `pe`, `decode`, `outputs`, `layout`, `energy`, `area`",
    ),
    (
        "a9b.toml",
        "[array]\nrows = 8\ncols = 4\ndataflow = \"os\"\n[sram]\nifmap_read_bw = 4\n",
        "a9b.toml:6: sram.ifmap_read_bw: 4 words/cycle is below what a dense os array reads (R = 8); SRAM read-port limits are modelled on weight-stationary arrays only: give at least 8, or leave the key out",
    ),
    (
        "a9c.toml",
        "[array]\nrows = 8\ncols = 4\n[sram]\nfilter_read_bw = 0\n",
        "a9c.toml:5:18: sram.filter_read_bw: invalid value: integer `0`, expected an integer from 1 to 16777216",
    ),
    (
        "a9d.toml",
        "[array]\nrows = 8\ncols = 4\n[outputs]\ndropped_filters = \"zero\"\n",
        "a9d.toml:5:19: outputs.dropped_filters: unknown variant `zero`, expected `write_zeros` or `skip`",
    ),
    (
        "a30.toml",
        "[array]\nrows = 4\ncols = 4\n[memory]\nmodel = \"ramulator\"\n",
        "a30.toml:5:9: memory.model: unknown variant `ramulator`, expected `sparsim` or `scalesim`",
    ),
    (
        "a31.toml",
        "[array]\nrows = 4\ncols = 4\n[memory]\nhalf_release = \"never\"\n",
        "a31.toml:5:16: memory.half_release: unknown variant `never`, expected `fold_start` or `fold_end`",
    ),
    (
        "a32.toml",
        "[array]\nrows = 4\ncols = 4\n[memory]\ndram_read_latency = 100001\n",
        "a32.toml:5:21: memory.dram_read_latency: invalid value: integer `100001`, expected an integer from 0 to 100000",
    ),
    (
        "a33.toml",
        "[array]\nrows = 4\ncols = 4\n[dram]\nifmap_bw = 2.5\n[memory]\nmodel = \"scalesim\"\n",
        "a33.toml:5: dram.ifmap_bw: 2.5 words/cycle: memory.model = \"scalesim\" moves whole DRAM lines, so it needs an integer bandwidth of at least 1 (or use model = \"sparsim\")",
    ),
    (
        "a34.toml",
        "[array]\nrows = 4\ncols = 4\n[memory]\nmodel = \"scalesim\"\nfirst_fill = \"prefetch\"\n",
        "a34.toml:6: memory.first_fill: is a policy of sparsim's own memory model; memory.model = \"scalesim\" follows SCALE-Sim's fixed policy (first fill before cycle 0, 1-cycle read latency): remove the key or use model = \"sparsim\"",
    ),
    (
        "a35.toml",
        "[array]\nrows = 4\ncols = 4\n[sram]\nifmap_read_bw = 2\n[memory]\nmodel = \"scalesim\"\n",
        "a35.toml:5: sram.ifmap_read_bw: 2 words/cycle is below what a dense array reads (4); memory.model = \"scalesim\" times SCALE-Sim's dense folds, which read that much: give at least 4, or use model = \"sparsim\"",
    ),
    (
        "a36.toml",
        "[array]\nrows = 4\ncols = 4\n[energy]\nmac_pj = 0.3\nfoo = 1\n",
        "a36.toml:6:1: energy.foo: unknown field `foo`, expected one of `base`, `ert`, `mac_pj`, `gated_mac_pj`, `reg_bit_pj`, `mux_input_pj`, `decode_entry_pj`, `bus_beat_pj`, `sram_pj_per_byte`, `ifmap_sram_pj_per_byte`, `filter_sram_pj_per_byte`, `ofmap_sram_pj_per_byte`, `dram_pj_per_byte`, `pe_leakage_pj_per_cycle`, `idle_pe_cycle_pj`",
    ),
    (
        "a37.toml",
        "[array]\nrows = 4\ncols = 4\n[energy]\nmac_pj = -1\n",
        "a37.toml:5:10: energy.mac_pj: invalid value: integer `-1`, expected a number from 0 to 1e9",
    ),
    (
        "a38.toml",
        "[array]\nrows = 4\ncols = 4\n[area]\nbase = \"7nm\"\n",
        "a38.toml:5:8: area.base: unknown variant `7nm`, expected `45nm` or `none`",
    ),
    (
        "a39.toml",
        "[array]\nrows = 4\ncols = 4\n[pe]\naccumulator_bits = 0\n",
        "a39.toml:5:20: pe.accumulator_bits: invalid value: integer `0`, expected an integer from 1 to 64",
    ),
    (
        "a40.toml",
        "[array]\nrows = 4\ncols = 4\n[energy]\nert = \"ERT.yaml\"\n",
        "a40.toml:5: energy.ert: `ERT.yaml` names a file, which this input cannot read (a sweep point or built-in text): load the architecture from its file, or copy the table's values into [energy]",
    ),
    (
        "a41.toml",
        "[array]\nrows = 4\ncols = 4\n[area]\nmux_input_um2 = inf\n",
        "a41.toml:5:17: area.mux_input_um2: invalid value: floating point `inf`, expected a number from 0 to 1e9",
    ),
    (
        "a42.toml",
        "[array]\nrows = 4\ncols = 4\n[layout]\ncolcomb_column_order = \"pytorch\"\n",
        "a42.toml:5:24: layout.colcomb_column_order: unknown variant `pytorch`, expected `sparsim` or `torch`",
    ),
    (
        "a10.toml",
        "[array]\nrows = 4\ncols = 4\n[word_bytes]\nifmap = 0\n",
        "a10.toml:5:9: word_bytes.ifmap: invalid value: integer `0`, expected an integer from 1 to 16",
    ),
    (
        "a11.toml",
        "[array]\nrows = 4\ncols = \n",
        "a11.toml:3:8: array.cols: string values must be quoted, expected literal string",
    ),
    (
        "a12.toml",
        "[array]\nrows = 4\ncols = 4\n[dram]\nbandwidth_mode = \"fast\"\n",
        "a12.toml:5:18: dram.bandwidth_mode: unknown variant `fast`, expected `user` or `calc`",
    ),
    (
        "a13.toml",
        "clock_mhz = 0\n[array]\nrows = 4\ncols = 4\n",
        "a13.toml:1:13: clock_mhz: invalid value: integer `0`, expected a clock frequency in MHz, at least 0.001",
    ),
    (
        "a14.toml",
        "[array]\nrows = 4\ncols = 4\n[dram]\nofmap_bw = 0.0001\n",
        "a14.toml:5:12: dram.ofmap_bw: invalid value: floating point `0.0001`, expected a number of words per cycle, at least 0.001",
    ),
    (
        "a15.toml",
        "[array]\nrows = 4\ncols = 4\n[pe]\nmux_inputs = 0\n",
        "a15.toml:5:14: pe.mux_inputs: invalid value: integer `0`, expected an integer from 1 to 4096",
    ),
    (
        "a16.toml",
        "[array]\nrows = 4.5\ncols = 4\n",
        "a16.toml:2:8: array.rows: invalid type: floating point `4.5`, expected an integer from 1 to 65536",
    ),
    (
        "w1.toml",
        "[[layer]]\nname = \"c\"\ntype = \"deconv\"\nifmap = [8, 8]\nchannels = 4\nfilters = 8\nkernel = 3",
        "w1.toml:3:8: layer[0].type: unknown layer type \"deconv\": expected one of conv2d, fc, gemm, lstm, gru, rnn, pool, relu, softmax, add",
    ),
    (
        "w2.toml",
        "[[layer]]\nname = \"c\"\ntype = \"conv2d\"\nifmap = [8, 8]\nchannels = 4\nkernel = 3",
        "w2.toml:1:1: layer[0].filters: conv2d layer `c` needs `filters`",
    ),
    (
        "w3.toml",
        "[[layer]]\nname = \"c\"\ntype = \"conv2d\"\nifmap = [8, 8]\nchannels = 4\nfilters = 8\nkernel = \"3\"",
        "w3.toml:7:10: layer[0].kernel: invalid value \"3\": expected an integer from 1 to 16777216 or a pair [height, width] of them",
    ),
    (
        "w4.toml",
        "[[layer]]\nname = \"c\"\ntype = \"conv2d\"\nifmap = [8, 8]\nchannels = 0\nfilters = 8\nkernel = 3",
        "w4.toml:5:12: layer[0].channels: invalid value 0: expected an integer from 1 to 16777216",
    ),
    (
        "w5.toml",
        "[[layer]]\nname = \"c\"\ntype = \"conv2d\"\nifmap = [8, 8]\nchannels = 4\nfilters = 8\nkernel = 11",
        "w5.toml:1:1: layer[0]: conv2d layer `c`: kernel height 11 is larger than the padded input height 8 (= 8 + 2·0)",
    ),
    (
        "w6.toml",
        "[[layer]]\nname = \"c\"\ntype = \"conv2d\"\nifmap = [8, 8]\nchannels = 4\nfilters = 8\nkernel = 3\ngroups = 3",
        "w6.toml:1:1: layer[0]: conv2d layer `c`: groups = 3 must divide both channels (4) and filters (8)",
    ),
    (
        "w7.toml",
        "[[layer]]\nname = \"c\"\ntype = \"conv2d\"\nifmap = [8, 8]\nchannels = 4\nfilters = 8\nkernel = 3\nhidden = 4",
        "w7.toml:8:10: layer[0].hidden: `hidden` does not apply to a conv2d layer (`c`); conv2d takes batch, ifmap, channels, filters, kernel, stride, padding, dilation, groups, weights",
    ),
    (
        "w8.toml",
        "name = \"empty\"\n",
        "w8.toml: the workload has no layers: add `[[layer]]` tables",
    ),
    (
        "w9.toml",
        "nmae = \"x\"\n[[layer]]\nname = \"c\"\ntype = \"conv2d\"\nifmap = [8, 8]\nchannels = 4\nfilters = 8\nkernel = 3",
        "w9.toml:1:1: nmae: unknown field `nmae`, expected one of `name`, `description`, `batch`, `weight_spread`, `layer`",
    ),
    (
        "w10.toml",
        "[[layer]]\nname = \"c\"\ntype = \"conv2d\"\nifmap = 8\nchannels = 4\nfilters = 8\nkernel = 3",
        "w10.toml:4:9: layer[0].ifmap: invalid value 8: expected [height, width]",
    ),
    (
        "w11.toml",
        "[[layer]]\nname = \"c\"\ntype = \"conv2d\"\nifmap = [8, 8]\nchannels = 4\nfilters = 8\nkernel = [3, 3, 3]",
        "w11.toml:7:10: layer[0].kernel: invalid value [3, 3, 3]: expected an integer from 1 to 16777216 or a pair [height, width] of them",
    ),
    (
        "w12.toml",
        "[[layer]]\nname = \"c\"\ntype = \"conv2d\"\nifmap = [8, 8]\nchannels = 4\nfilters = 8\nkernel = 3\npadding = -1",
        "w12.toml:8:11: layer[0].padding: invalid value -1: expected an integer from 0 to 16777216 or a pair [height, width] of them",
    ),
    (
        "w13.toml",
        "[[layer]]\nname = \"l\"\ntype = \"lstm\"\ninput = 4\nhidden = 8\n",
        "w13.toml:1:1: layer[0].steps: lstm layer `l` needs `steps`",
    ),
    (
        "w20.toml",
        "[[layer]]\nname = \"a\"\ntype = \"relu\"\n\n[[layer]]\nname = \"c\"\ntype = \"conv2d\"\nifmap = [8, 8]\nchannels = 4\nkernel = 3\n",
        "w20.toml:5:1: layer[1].filters: conv2d layer `c` needs `filters`",
    ),
    (
        "n1.txt",
        "input(28, 28, 1)\ndeconv(30, 30, 8)\n",
        "n1.txt:2: `deconv(30, 30, 8)`: unknown layer `deconv`: expected one of input, conv, relu, pool, fullyconn, softmax",
    ),
    (
        "n2.txt",
        "conv(24, 24, 8)\n",
        "n2.txt:1: `conv(24, 24, 8)`: the first layer must be `input(height, width, depth)`, not `conv`",
    ),
    (
        "n3.txt",
        "input(28, 28, 1)\nconv(30, 30, 8)\n",
        "n3.txt:2: `conv(30, 30, 8)`: no convolution turns 28×28×1 into 30×30×8: an output of 30 with stride 1 needs an input larger than 29, but the input is 28 with padding 0; give k= and p=",
    ),
    (
        "n4.txt",
        "input(28, 28, 1)\npool(14, 14, 2)\n",
        "n4.txt:2: `pool(14, 14, 2)`: pooling keeps the depth: expected depth 1, found 2",
    ),
    (
        "n5.txt",
        "input(28, 28, 1)\nrelu(28, 28, 2)\n",
        "n5.txt:2: `relu(28, 28, 2)`: `relu` keeps the shape: expected (28, 28, 1), found (28, 28, 2)",
    ),
    (
        "n6.txt",
        "input(4, 4, 16)\nfullyconn(2, 2, 10)\n",
        "n6.txt:2: `fullyconn(2, 2, 10)`: `fullyconn` outputs a vector: expected (1, 1, N), found (2, 2, 10)",
    ),
    (
        "n7.txt",
        "input(28, 28, 1\n",
        "n7.txt:1: `input(28, 28, 1`: missing `)`",
    ),
    (
        "n8.txt",
        "input(28, 28, 1)\nconv(24, 24, 8, q=2)\n",
        "n8.txt:2: `conv(24, 24, 8, q=2)`: unknown argument `q=`: expected k=, s= or p=",
    ),
    (
        "n9.txt",
        "input(28, 28, 1)\ninput(28, 28, 1)\n",
        "n9.txt:2: `input(28, 28, 1)`: `input` may appear only once, as the first layer",
    ),
    (
        "n10.txt",
        "# nothing\n",
        "n10.txt: no layers: expected lines such as `input(28, 28, 1)` then `conv(24, 24, 8)`",
    ),
    (
        "n11.txt",
        "input(28, 28)\n",
        "n11.txt:1: `input(28, 28)`: expected three sizes (height, width, depth), found 2",
    ),
    (
        "n12.txt",
        "input(28, 28, 1)\nconv(24, 24, 8, k=3, p=0)\n",
        "n12.txt:2: `conv(24, 24, 8, k=3, p=0)`: no convolution turns 28×28×1 into 24×24×8: k=3, s=1, p=0 on 28 gives 26, not 24",
    ),
    (
        "n13.txt",
        "input(28, 28, 1)\n",
        "n13.txt: only an `input` line: add layers after it",
    ),
    (
        "n14.txt",
        "input(28, 28, 0)\n",
        "n14.txt:1: `input(28, 28, 0)`: `0` is not a size: expected an integer from 1 to 16777216",
    ),
];

fn parse(name: &str, text: &str) -> Result<(), String> {
    let (stem, ext) = name.rsplit_once('.').unwrap();
    let r = match (name.as_bytes()[0], ext) {
        (b'a', "toml") => parse_arch_toml(text, name, stem).map(|_| ()),
        (b'c', "cfg") => parse_scalesim_cfg(text, name, stem).map(|_| ()),
        _ => parse_workload_text(text, name, stem, ext, TopologyForm::Detect).map(|_| ()),
    };
    r.map_err(|e| e.to_string())
}

#[test]
fn every_malformed_input_has_its_pinned_message() {
    let mut failures = Vec::new();
    for (name, text, expected) in CASES {
        match parse(name, text) {
            Ok(()) => failures.push(format!("{name}: accepted, expected `{expected}`")),
            Err(got) if got != *expected => failures.push(format!(
                "{name}:\n  expected: {expected}\n  got:      {got}"
            )),
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_valid_baselines_parse() {
    assert!(parse("c0.cfg", "[general]\nrun_name = t\n[architecture_presets]\nArrayHeight: 32\nArrayWidth: 32\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nBandwidth : 10\nDataflow : ws\n[layout]\nIfmapSRAMBankBandwidth: 10\nFilterSRAMBankBandwidth: 10\n[sparsity]\nSparsitySupport : false\n[run_presets]\nInterfaceBandwidth: USER\n").is_ok());
    assert!(parse("w0.toml", "[[layer]]\nname = \"c\"\ntype = \"conv2d\"\nifmap = [8, 8]\nchannels = 4\nfilters = 8\nkernel = 3\n").is_ok());
}

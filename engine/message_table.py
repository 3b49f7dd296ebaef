"""Every message code the engine emits, with its ja and en templates (see engine.messages).

``summary_ja``/``summary_en`` are what a hidden test shows: no inputs, no expected values.
Terms follow the curriculum's Japanese: 形状 (shape), 勾配 (gradient), 許容誤差 (tolerance),
最大絶対誤差 (max abs error), 要素 (entry), 軸 (axis), 転置 (transpose), 浮動小数点数.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- what a message is about ------------------------------------------------------------
    "subject.result": {"en": "the result", "ja": "戻り値"},
    "subject.output": {"en": "{name:code}", "ja": "出力{name:code}"},
    "subject.gradient": {"en": "the gradient w.r.t. {name:code}", "ja": "{name:code}に関する勾配"},
    "subject.text": {"en": "{text}", "ja": "{text}"},
    # -- a returned value, described ----------------------------------------------------------
    "value.unsupported": {"en": "a {type} ({text})", "ja": "{type} ({text})"},
    "value.none": {"en": "None", "ja": "None"},
    "value.bool": {"en": "a bool", "ja": "真偽値 (bool)"},
    "value.number": {
        "en": "a single number ({type} {value:num})",
        "ja": "単一の数値（{type} {value:num}）",
    },
    "value.array": {"en": "an array of shape {shape:idx}", "ja": "形状 {shape:idx} の配列"},
    "value.sequence": {"en": "a {type} of {n}", "ja": "要素数 {n} の {type}"},
    "value.dict": {"en": "a dict", "ja": "辞書 (dict)"},
    "value.other": {"en": "a {type}", "ja": "{type} 型の値"},
    "want.number": {"en": "a single number", "ja": "単一の数値"},
    "want.array": {
        "en": "a NumPy array of shape {shape:idx}",
        "ja": "形状 {shape:idx} の NumPy 配列",
    },
    "want.any_array": {"en": "an array", "ja": "配列"},
    "kind.float": {"en": "floating-point", "ja": "浮動小数点数"},
    "kind.int": {"en": "integer", "ja": "整数"},
    "kind.bool": {"en": "boolean", "ja": "真偽値"},
    "kind.complex": {"en": "complex", "ja": "複素数"},
    "kind.other": {"en": "{kind}", "ja": "{kind}"},
    # -- comparisons with the reference (engine/checks/compare.py) ------------------------------
    "type_mismatch": {
        "en": "{subject:msg} is {got:msg}, expected {want:msg}{hint:msg}",
        "ja": "{subject:msg}が{got:msg}になっています。{want:msg}を返してください{hint:msg}。",
        "summary_en": "{subject:msg} has the wrong type",
        "summary_ja": "{subject:msg}の型が違います",
    },
    "hint.wrap_array": {
        "en": " (wrap it with np.array(...))",
        "ja": "（リストなら np.array(...) で配列にします）",
    },
    "bool_mismatch": {
        "en": "{subject:msg} is {got:msg}, expected {expected}",
        "ja": "{subject:msg}が{got:msg}になっています。期待される値は {expected} です。",
        "summary_en": "wrong {subject:msg}",
        "summary_ja": "{subject:msg}が違います",
    },
    "int_wrong_type": {
        "en": "{subject:msg} is {got:msg}, expected an int",
        "ja": "{subject:msg}が{got:msg}になっています。整数 (int) を返してください。",
        "summary_en": "{subject:msg} has the wrong type",
        "summary_ja": "{subject:msg}の型が違います",
    },
    "int_is_float": {
        "en": "{subject:msg} is {got}, a float; expected the int {expected}{hint:msg}",
        "ja": "{subject:msg}が浮動小数点数の {got} になっています。整数 {expected} を返してください{hint:msg}。",
        "summary_en": "{subject:msg} is a float, expected an int",
        "summary_ja": "{subject:msg}が整数ではなく浮動小数点数です",
    },
    "int_is_float_far": {
        "en": "{subject:msg} is {got}, a float; expected an int{hint:msg}",
        "ja": "{subject:msg}が浮動小数点数の {got} になっています。整数を返してください{hint:msg}。",
        "summary_en": "{subject:msg} is a float, expected an int",
        "summary_ja": "{subject:msg}が整数ではなく浮動小数点数です",
    },
    "hint.floor_division": {
        "en": " (use // for floor division, or int(...))",
        "ja": "（切り捨て除算 // か int(...) を使います）",
    },
    "int_mismatch": {
        "en": "{subject:msg} is {got}, expected {expected}",
        "ja": "{subject:msg}が {got} になっています。期待される値は {expected} です。",
        "summary_en": "wrong {subject:msg}",
        "summary_ja": "{subject:msg}が違います",
    },
    "dtype_mismatch": {
        "en": "{subject:msg} has dtype {dtype}, expected an array of {kind:msg} numbers{hint:msg}",
        "ja": "{subject:msg}のデータ型 (dtype) が {dtype} です。{kind:msg}の配列を返してください{hint:msg}。",
        "summary_en": "{subject:msg} has dtype {dtype}, expected {kind:msg}",
        "summary_ja": "{subject:msg}のデータ型が {dtype} です（期待: {kind:msg}）",
    },
    "hint.float_values": {
        "en": " (start from float values: 1.0 instead of 1, or .astype(np.float64))",
        "ja": "（1 ではなく 1.0 のように浮動小数点数から計算するか、.astype(np.float64) で変換します）",
    },
    "hint.keep_integers": {
        "en": " (keep integer arithmetic, or convert at the end with .astype(np.{dtype}))",
        "ja": "（整数のまま計算するか、最後に .astype(np.{dtype}) で変換します）",
    },
    "shape_transpose": {
        "en": "{subject:msg}: shape {got:idx} looks like the transpose of the expected {expected:idx}",
        "ja": "{subject:msg}の形状 {got:idx} は、期待される形状 {expected:idx} の転置になっています。",
        "summary_en": "{subject:msg} has shape {got:idx}, expected {expected:idx}",
        "summary_ja": "{subject:msg}の形状が {got:idx} です（期待: {expected:idx}）",
    },
    "shape_axes_order": {
        "en": "{subject:msg}: shape {got:idx} has the expected axes in another order {expected:idx} (a transpose or a wrong axis order?)",
        "ja": "{subject:msg}の形状 {got:idx} は、期待される形状 {expected:idx} と軸の並び順が違います（転置か、軸の指定の誤りでは？）。",
        "summary_en": "{subject:msg} has shape {got:idx}, expected {expected:idx}",
        "summary_ja": "{subject:msg}の形状が {got:idx} です（期待: {expected:idx}）",
    },
    "shape_extra_axis": {
        "en": "{subject:msg}: shape {got:idx}, expected {expected:idx} (an extra or missing axis of length 1)",
        "ja": "{subject:msg}の形状が {got:idx} ですが、期待される形状は {expected:idx} です（長さ 1 の軸が多いか足りません）。",
        "summary_en": "{subject:msg} has shape {got:idx}, expected {expected:idx}",
        "summary_ja": "{subject:msg}の形状が {got:idx} です（期待: {expected:idx}）",
    },
    "shape_layout": {
        "en": "{subject:msg}: shape {got:idx}, expected {expected:idx} (same number of elements, wrong layout)",
        "ja": "{subject:msg}の形状が {got:idx} ですが、期待される形状は {expected:idx} です（要素数は同じで、並べ方が違います）。",
        "summary_en": "{subject:msg} has shape {got:idx}, expected {expected:idx}",
        "summary_ja": "{subject:msg}の形状が {got:idx} です（期待: {expected:idx}）",
    },
    "shape_not_scalar": {
        "en": "{subject:msg}: shape {got:idx}, expected a single number (did you forget to sum or average?)",
        "ja": "{subject:msg}の形状が {got:idx} ですが、単一の数値が期待されています（和や平均を取り忘れていませんか）。",
        "summary_en": "{subject:msg} has shape {got:idx}, expected {expected:idx}",
        "summary_ja": "{subject:msg}の形状が {got:idx} です（期待: {expected:idx}）",
    },
    "shape_mismatch": {
        "en": "{subject:msg}: shape {got:idx}, expected {expected:idx}",
        "ja": "{subject:msg}の形状が {got:idx} ですが、期待される形状は {expected:idx} です。",
        "summary_en": "{subject:msg} has shape {got:idx}, expected {expected:idx}",
        "summary_ja": "{subject:msg}の形状が {got:idx} です（期待: {expected:idx}）",
    },
    "entries_differ": {
        "en": "{subject:msg}: {count} of {size} entries differ; first at index {index:idx}: expected {expected:num}, got {got:num}",
        "ja": "{subject:msg}の {size} 個の要素のうち {count} 個が違います。最初はインデックス {index:idx} で、期待値 {expected:num} に対して {got:num} です。",
        "summary_en": "{subject:msg} has wrong entries",
        "summary_ja": "{subject:msg}に誤った要素があります",
    },
    "nonfinite": {
        "en": "{what} in {subject:msg}{at:msg} where the expected value is {expected:num} ({count} non-finite value(s)): an overflow in exp, a log of 0, a division by 0 or the square root of a negative number?",
        "ja": "{subject:msg}{at:msg}が {what} になっています（期待値は {expected:num}、有限でない値は {count} 個）。exp のオーバーフロー、0 の log、0 による除算、負の数の平方根のどれかではありませんか。",
        "summary_en": "{what} in {subject:msg}",
        "summary_ja": "{subject:msg}に {what} があります",
    },
    "at_index": {"en": " at index {index:idx}", "ja": "のインデックス {index:idx} "},
    "value_mismatch": {
        "en": "{subject:msg}: max abs error {error:num}{at:msg}: expected {expected:num}, got {got:num}{pattern:msg}",
        "ja": "{subject:msg}が許容誤差を超えて違います。最大絶対誤差 {error:num}{at:msg}: 期待値 {expected:num}、実際の値 {got:num}。{pattern:msg}",
        "summary_en": "{subject:msg} has wrong values",
        "summary_ja": "{subject:msg}の値が違います",
    },
    "at_index_value": {"en": " at index {index:idx}", "ja": "（インデックス {index:idx}）"},
    "pattern.opposite_sign": {
        "en": "; every value has the opposite sign",
        "ja": "すべての値の符号が逆になっています。",
    },
    "pattern.transpose": {
        "en": "; the values are the transpose of the expected ones",
        "ja": "値が期待される配列の転置になっています。",
    },
    "pattern.scaled": {
        "en": "; every value is {factor:num} × the expected one",
        "ja": "すべての値が期待値の {factor:num} 倍になっています。",
    },
    "pattern.zero": {"en": "; everything is zero", "ja": "すべての値が 0 です。"},
    "float64_required": {
        "en": "{subject:msg} was computed in {dtype} (about 7 significant digits), but this problem requires float64 (about 16): the max abs error {error:num} exceeds the allowed |got - expected| <= {atol:num} + {rtol:num} * |expected|; compute in float64 (e.g. .astype(np.float64) on the inputs)",
        "ja": "{subject:msg}は {dtype}（有効数字約 7 桁）で計算されていますが、この問題では float64（約 16 桁）が必要です。最大絶対誤差 {error:num} が許容誤差 |実際の値 - 期待値| <= {atol:num} + {rtol:num} × |期待値| を超えています。float64 で計算してください（入力に .astype(np.float64) など）。",
        "summary_en": "{subject:msg} is not precise enough: this problem requires float64",
        "summary_ja": "{subject:msg}の精度が足りません（この問題では float64 が必要です）",
    },
    # -- properties (engine/checks/properties.py) -------------------------------------------------
    "prop_nonfinite": {
        "en": "{what} in {subject:msg}{where:msg}: exp of a large number overflows to inf (and inf / inf is NaN); arrange the formula so that exp only sees values <= 0 (for softmax: subtract each row's maximum first)",
        "ja": "{subject:msg}{where:msg}に {what} があります。大きな数の exp は inf にオーバーフローします（inf / inf は NaN）。exp に 0 以下の値だけが渡るよう式を変形してください（softmax なら先に各行の最大値を引きます）。",
        "summary_en": "{what} in {subject:msg}",
        "summary_ja": "{subject:msg}に {what} があります",
    },
    "prop_where": {
        "en": " at index {index:idx} ({bad} of {size} values are not finite)",
        "ja": "のインデックス {index:idx}（{size} 個中 {bad} 個が有限でない値）",
    },
    "prop_not_normalised": {
        "en": "{subject:msg} should sum to 1 along the last axis, but {row:msg} sums to {sum:num}: normalise along axis=-1 (keepdims=True)",
        "ja": "{subject:msg}は最後の軸に沿った和が 1 になるはずですが、{row:msg}の和が {sum:num} です。axis=-1（keepdims=True）で正規化してください。",
        "summary_en": "{subject:msg} does not sum to 1 along the last axis",
        "summary_ja": "{subject:msg}の最後の軸に沿った和が 1 になりません",
    },
    "row": {"en": "row {index:idx}", "ja": "行 {index:idx} "},
    "row_it": {"en": "it", "ja": "全体"},
    "prop_not_probabilities": {
        "en": "{subject:msg} should hold probabilities, but index {index:idx} is {value:num}",
        "ja": "{subject:msg}は確率（0 以上 1 以下）のはずですが、インデックス {index:idx} が {value:num} です。",
        "summary_en": "{subject:msg} has values outside [0, 1]",
        "summary_ja": "{subject:msg}に [0, 1] の範囲外の値があります",
    },
    "prop_negative": {
        "en": "{subject:msg} should be >= 0, but index {index:idx} is {value:num}",
        "ja": "{subject:msg}は 0 以上のはずですが、インデックス {index:idx} が {value:num} です。",
        "summary_en": "{subject:msg} has negative values",
        "summary_ja": "{subject:msg}に負の値があります",
    },
    # -- one call (engine/checks/judge.py) ------------------------------------------------------
    "raised": {
        "en": "raised {type}{at_line:msg}: {message}",
        "ja": "例外 {type} が発生しました{at_line:msg}: {message}",
        "summary_en": "raised {type}{at_line:msg}",
        "summary_ja": "例外 {type} が発生しました{at_line:msg}",
    },
    "at_line": {"en": " at line {line}", "ja": "（{line} 行目）"},
    "tuple_expected": {
        "en": "returned {got:msg}, expected a tuple of {n} ({names:codes}): return {names_text}",
        "ja": "{got:msg}が返されました。{names:codes}の {n} つをタプルで返してください（return {names_text}）。",
        "summary_en": "returned {got:msg}, expected a tuple of {n}",
        "summary_ja": "{got:msg}が返されました（期待: 要素数 {n} のタプル）",
    },
    "tuple_length": {
        "en": "returned a tuple of {got}, expected {n} ({names:codes})",
        "ja": "要素数 {got} のタプルが返されました。{names:codes}の {n} つを返してください。",
        "summary_en": "returned a tuple of {got}, expected {n}",
        "summary_ja": "要素数 {got} のタプルが返されました（期待: {n}）",
    },
    "outputs_order": {
        "en": "your output {k} is the expected {name:code}: return them in the order ({names_text})",
        "ja": "{k} 番目の出力が、期待される{name:code}になっています。({names_text}) の順に返してください。",
        "summary_en": "the outputs are in the wrong order",
        "summary_ja": "出力の順序が違います",
    },
    "input_modified": {
        "en": "your function modified its input {name:code}{at:msg}: work on a copy (e.g. {name}.copy()) or build a new array",
        "ja": "関数が入力{name:code}を書き換えています{at:msg}。コピー（{name}.copy() など）に対して計算するか、新しい配列を作ってください。",
        "summary_en": "your function modified its input {name:code}",
        "summary_ja": "関数が入力{name:code}を書き換えています",
    },
    "first_change": {
        "en": " (first change at index {index:idx})",
        "ja": "（最初の変更はインデックス {index:idx}）",
    },
    "no_gradient": {
        "en": "no gradient reached {name:code}: the graph was cut (.detach(), .item(), .numpy(), torch.no_grad() or a new tensor built from values) between it and the outputs",
        "ja": "{name:code}に勾配が届いていません。{name:code}から出力までの間で計算グラフが切れています（.detach()、.item()、.numpy()、torch.no_grad()、値から作り直したテンソルなど）。",
        "summary_en": "no gradient reached {name:code}",
        "summary_ja": "{name:code}に勾配が届いていません",
    },
    "hidden_failure": {
        "en": "{failure:msg} (hidden test: its inputs are not shown)",
        "ja": "{failure:msg}（非公開テストのため入力は表示されません）",
    },
    "hidden_raised": {
        "en": "raised {type}",
        "ja": "例外 {type} が発生しました",
    },
    # -- forbidden calls (engine/checks/forbidden.py) ------------------------------------------
    "forbidden.use": {
        "en": "uses {name:code} (line {line}), which this problem asks you to implement yourself",
        "ja": "{line} 行目で{name:code}を使っています。この問題ではそれを自分で実装します",
    },
    "forbidden.import": {
        "en": "imports {name:code} (line {line}), which is not allowed in this problem",
        "ja": "{line} 行目で{name:code}をインポートしています。この問題では使えません",
    },
    "forbidden.import_from": {
        "en": "imports from {name:code} (line {line}), which is not allowed in this problem",
        "ja": "{line} 行目で{name:code}からインポートしています。この問題では使えません",
    },
    "forbidden.star": {
        "en": "uses from {module} import * (line {line}), which brings in {name:code}; import only what you need",
        "ja": "{line} 行目の from {module} import * で{name:code}が取り込まれます。必要なものだけをインポートしてください",
    },
    "forbidden.escape": {
        "en": "uses {name:code} (line {line}), which is not allowed in this problem",
        "ja": "{line} 行目で{name:code}を使っています。この問題では使えません",
    },
    "forbidden_call": {
        "en": "Your code {violation:msg}.",
        "ja": "コードが次の制約に違反しています: {violation:msg}。",
    },
    "not_run_forbidden": {
        "en": "Not run: your code {violation:msg}.",
        "ja": "実行していません: {violation:msg}。",
    },
    # -- the run as a whole (engine/grading.py) ------------------------------------------------
    "compile_error": {
        "en": "{type}{where:msg}: {message}",
        "ja": "構文エラー {type}{where:msg}: {message}",
    },
    "at_line_column": {
        "en": " at line {line}, column {column}",
        "ja": "（{line} 行目、{column} 列目）",
    },
    "too_deep": {
        "en": "your code is nested too deeply to compile; split long expressions into several lines",
        "ja": "コードの入れ子が深すぎてコンパイルできません。長い式を複数の行に分けてください",
    },
    "missing_entry": {
        "en": "Your code defines no {defs:codes} at the top level; keep the name from the starter code.",
        "ja": "コードのトップレベルに{defs:codes}が定義されていません。最初に与えられたコードの関数名を変えないでください。",
    },
    "import_error": {
        "en": "Your module raised {type}{at_line:msg} while loading: {message}",
        "ja": "モジュールの読み込み中に例外 {type} が発生しました{at_line:msg}: {message}",
    },
    "in_hidden_test": {"en": " (in a hidden test)", "ja": "（非公開テストで）"},
    "time_limit": {
        "en": "Time limit exceeded{where:msg}: {detail}. Look for an endless loop or an unvectorised loop over many elements.",
        "ja": "実行時間の制限を超えました{where:msg}（{detail}）。無限ループや、多数の要素に対するベクトル化されていないループがないか確認してください。",
    },
    "memory_limit": {
        "en": "Memory limit exceeded{where:msg}: {detail}.",
        "ja": "メモリの制限を超えました{where:msg}（{detail}）。",
    },
    "output_limit": {
        "en": "Output limit exceeded{where:msg}: {detail}. Remove large prints.",
        "ja": "出力の制限を超えました{where:msg}（{detail}）。大量の print を削除してください。",
    },
    "crashed": {
        "en": "Your program crashed{where:msg}: {detail}.",
        "ja": "プログラムが異常終了しました{where:msg}（{detail}）。",
    },
    "crashed_no_result": {
        "en": "Your program crashed{where:msg}: it ended without a result.",
        "ja": "プログラムが異常終了しました{where:msg}。結果を返す前に終了しています。",
    },
    "sandbox_failed": {
        "en": "The sandbox failed (an internal error, not your fault); please try again.",
        "ja": "実行環境の内部エラーです（あなたのコードのせいではありません）。もう一度試してください。",
    },
    "prepare_failed": {
        "en": "The problem's tests could not be prepared (an internal error); please report it.",
        "ja": "問題のテストを準備できませんでした（内部エラー）。報告してください。",
    },
    "internal_error": {
        "en": "Grading failed with an internal error; this is not your fault. Please try again.",
        "ja": "採点中に内部エラーが発生しました。あなたのコードのせいではありません。もう一度試してください。",
    },
    "grader_failed": {
        "en": "The grader failed ({type}); this is not your submission's fault.",
        "ja": "採点システムでエラーが発生しました ({type})。提出したコードのせいではありません。",
    },
    # -- training exercises (engine/training) -----------------------------------------------------
    "training.unexpected_values": {
        "en": "returned values of an unexpected type or shape; check the return types and shapes in the statement",
        "ja": "想定外の型または形状の値が返されました。問題文にある戻り値の型と形状を確認してください。",
        "summary_en": "returned values of an unexpected type or shape",
        "summary_ja": "想定外の型または形状の値が返されました",
    },
    "training.model_unusable": {
        "en": "the grader could not use your model: {type}: {message}",
        "ja": "採点プログラムがあなたのモデルを使えませんでした: {type}: {message}",
        "summary_en": "the grader could not use your model ({type})",
        "summary_ja": "採点プログラムがあなたのモデルを使えませんでした ({type})",
    },
    "training.not_a_tensor": {
        "en": "{what} is {got:msg}; expected a tensor of shape {shape:idx}",
        "ja": "{what} が{got:msg}になっています。形状 {shape:idx} のテンソルを返してください。",
        "summary_en": "{what} is not a tensor",
        "summary_ja": "{what} がテンソルではありません",
    },
    "training.wrong_shape": {
        "en": "{what} has shape {got:idx}; expected {shape:idx}",
        "ja": "{what} の形状が {got:idx} ですが、期待される形状は {shape:idx} です。",
        "summary_en": "{what} has the wrong shape",
        "summary_ja": "{what} の形状が違います",
    },
    "training.nonfinite": {
        "en": "{what} has {bad} NaN or infinite values (of {size}): the training diverged or a computation overflowed",
        "ja": "{what} の {size} 個の値のうち {bad} 個が NaN か無限大です。学習が発散したか、計算がオーバーフローしています。",
        "summary_en": "{what} has NaN or infinite values",
        "summary_ja": "{what} に NaN か無限大の値があります",
    },
    "training.not_a_pair": {
        "en": "{what} returned {got:msg}; expected a tuple (y, state)",
        "ja": "{what} が{got:msg}を返しました。タプル (y, state) を返してください。",
        "summary_en": "{what} did not return a pair",
        "summary_ja": "{what} が 2 つ組を返していません",
    },
    "training.decoder_ignores_state": {
        "en": "decode(model, dx, state) gives the same y for two different states: the decoder must start from the state it is passed (the encoder's context), not from zeros",
        "ja": "decode(model, dx, state) が、異なる 2 つの状態に対して同じ y を返します。デコーダはゼロからではなく、渡された状態（エンコーダの文脈）から始める必要があります。",
        "summary_en": "the decoder ignores the state it is given",
        "summary_ja": "デコーダが渡された状態を使っていません",
    },
    "training.heldout_mse": {
        "en": "on {n} held-out windows the mean squared error of predict is {mse:num}; it must be at most {threshold:num}. Train for the whole step budget, decode from the encoder's state, and feed each prediction back as the next decoder input",
        "ja": "学習に使っていない {n} 個の窓で、predict の平均二乗誤差が {mse:num} です（{threshold:num} 以下が必要）。ステップ数いっぱいまで学習し、エンコーダの状態からデコードを始め、各時刻の予測を次のデコーダ入力として戻してください。",
        "summary_en": "the held-out MSE is above {threshold:num}",
        "summary_ja": "未知のデータでの平均二乗誤差が {threshold:num} を超えています",
    },
    "training.not_autoregressive": {
        "en": "predict(model, ex) differs (by {diff:num}, first at step {step}) from decoding step by step from the encoder's state with the start value {start:num} as the first input and each output as the next input, carrying the state along; at inference the decoder may see only its own predictions",
        "ja": "predict(model, ex) の結果が、エンコーダの状態から開始値 {start:num} を最初の入力とし、各出力を次の入力に戻しながら状態を引き継いで 1 ステップずつデコードした結果と違います（差 {diff:num}、最初はステップ {step}）。推論時のデコーダは自分の予測しか見られません。",
        "summary_en": "predict does not feed back its own predictions",
        "summary_ja": "predict が自分の予測を次の入力に戻していません",
    },
    "training.steps_not_counted": {
        "en": "the grader could not count the optimiser steps of train",
        "ja": "採点プログラムが train のオプティマイザの更新回数を数えられませんでした。",
        "summary_en": "the grader could not count the training steps",
        "summary_ja": "学習ステップ数を数えられませんでした",
    },
    "training.over_budget": {
        "en": "train(model, ex, dx, dy, steps) took {taken} optimiser steps with steps = {budget}: take at most steps steps (the held-out error is judged for that budget)",
        "ja": "train(model, ex, dx, dy, steps) は steps = {budget} に対して {taken} 回オプティマイザを更新しました。更新は steps 回までにしてください（未知の窓の誤差はこの回数の学習で判定します）。",
        "summary_en": "train takes more than steps = {budget} optimiser steps",
        "summary_ja": "train の更新回数が steps = {budget} を超えています",
    },
    "training.no_model": {
        "en": "build_model did not return a torch.nn.Module",
        "ja": "build_model が torch.nn.Module を返していません。",
        "summary_en": "build_model did not return a model",
        "summary_ja": "build_model がモデルを返していません",
    },
    "training.layer_missing": {
        "en": "the model has no {wanted} (found: {found})",
        "ja": "モデルに {wanted} がありません（見つかったもの: {found}）。",
        "summary_en": "the model has no {wanted}",
        "summary_ja": "モデルに {wanted} がありません",
    },
    "training.gradient_too_small": {
        "en": "the unclipped gradient norm is only {norm:num} (max_norm is {max_norm:num}): does train_step compute the loss with cross_entropy on the model's logits and call loss.backward() and optimizer.step()?",
        "ja": "クリッピング前の勾配のノルムが {norm:num} しかありません（max_norm は {max_norm:num}）。train_step でモデルのロジットから cross_entropy で損失を計算し、loss.backward() と optimizer.step() を呼んでいますか。",
        "summary_en": "the gradient is too small to test clipping",
        "summary_ja": "勾配が小さすぎてクリッピングを確かめられません",
    },
    "training.clip_exceeds": {
        "en": "the optimiser applied a gradient of total norm {norm:num} with max_norm={max_norm:num} (unclipped: {raw:num}): clip the norm of all gradients together after loss.backward() and before optimizer.step()",
        "ja": "max_norm={max_norm:num} なのに、オプティマイザが全体のノルム {norm:num} の勾配で更新しました（クリッピング前: {raw:num}）。loss.backward() の後、optimizer.step() の前に、すべての勾配をまとめてノルムでクリッピングしてください。",
        "summary_en": "the total gradient norm of the step exceeds max_norm",
        "summary_ja": "更新に使われた勾配の全体のノルムが max_norm を超えています",
    },
    "training.clip_not_rescaled": {
        "en": "the applied gradient (norm {norm:num}) is not the unclipped one scaled by max_norm / norm = {factor:num} (relative difference {off:num}): clip_grad_norm_ rescales every gradient by the same factor; clipping each value (clip_grad_value_) or each parameter on its own changes the direction",
        "ja": "更新に使われた勾配（ノルム {norm:num}）が、クリッピング前の勾配を max_norm / ノルム = {factor:num} 倍したものになっていません（相対差 {off:num}）。clip_grad_norm_ はすべての勾配を同じ倍率で縮めます。値ごと（clip_grad_value_）やパラメータごとのクリッピングでは勾配の向きが変わります。",
        "summary_en": "the clipped gradient is not the rescaled gradient",
        "summary_ja": "クリッピング後の勾配が、元の勾配を一様に縮めたものになっていません",
    },
    "training.no_backward_direction": {
        "en": "no recurrent weights of a backward direction (weight_hh_l0_reverse): use nn.LSTM(..., bidirectional=True)",
        "ja": "逆方向の再帰重み（weight_hh_l0_reverse）がありません。nn.LSTM(..., bidirectional=True) を使ってください。",
        "summary_en": "the model has no backward direction",
        "summary_ja": "モデルに逆方向がありません",
    },
    "training.one_direction_unused": {
        "en": "after a training step only one direction's weights changed: feed the outputs of both directions (forward and backward) to the output layer",
        "ja": "学習を 1 ステップ行うと、片方の方向の重みだけが変わりました。順方向と逆方向の両方の出力を出力層に渡してください。",
        "summary_en": "one direction of the LSTM does not reach the output",
        "summary_ja": "LSTM の片方の方向が出力に届いていません",
    },
    "training.could_not_train": {
        "en": "the grader's training loop returned nothing it could read: does build_model return a torch.nn.Module?",
        "ja": "採点プログラムの学習ループが読める結果を返しませんでした。build_model は torch.nn.Module を返していますか。",
        "summary_en": "the grader could not train your model",
        "summary_ja": "採点プログラムがモデルを学習できませんでした",
    },
    "training.loss_not_falling": {
        "en": "{steps} training steps ({trainer:msg}, Adam) on copies of your model at each learning rate did not lower the cross-entropy on the {clips} training clips from {loss0:num} below {factor:num} × the start ({target:num}): {tried}. Check that the logits come from the layers the statement names and that the state is not cut from the loss (no .detach() or .item() on the way).",
        "ja": "モデルのコピーを各学習率で {steps} ステップ学習させましたが（{trainer:msg}、Adam）、学習用の {clips} 個の音声の交差エントロピーは開始時の {loss0:num} から {factor:num} 倍（{target:num}）より下がりませんでした: {tried}。ロジットが問題文の層から計算されていること、途中で .detach() や .item() により計算グラフが切れていないことを確かめてください。",
        "summary_en": "the training loss does not fall",
        "summary_ja": "学習で損失が十分に下がりませんでした",
    },
    "training.trainer_learner": {"en": "train_step", "ja": "train_step"},
    "training.trainer_grader": {"en": "the grader's Adam loop", "ja": "採点プログラムの学習ループ"},
    "training.ignores_last_steps": {
        "en": "changing only the last {tail} of {steps} time steps leaves the logits unchanged: classify from the state after the last time step (out[:, -1] or h_n), not from the first",
        "ja": "{steps} 時刻のうち最後の {tail} 時刻だけを変えてもロジットが変わりません。最初ではなく、最後の時刻の後の状態（out[:, -1] または h_n）から分類してください。",
        "summary_en": "the output ignores the end of the sequence",
        "summary_ja": "出力が系列の終わりを見ていません",
    },
    "training.batch_mixing": {
        "en": "reversing the order of the clips in the batch changes their logits, not just their order: the model mixes clips (a recurrent layer without batch_first=True reads (N, T, F) as (T, N, F))",
        "ja": "バッチ内の音声の順序を逆にすると、ロジットの順序だけでなく値も変わります。モデルが音声どうしを混ぜています（batch_first=True のない再帰層は (N, T, F) を (T, N, F) として読みます）。",
        "summary_en": "a clip's logits depend on the other clips of the batch",
        "summary_ja": "ある音声のロジットがバッチ内の他の音声に依存しています",
    },
    "training.layer_never_called": {
        "en": "model(x) never calls an nn.{kind}: the statement's layer must be on the way from the input to the logits",
        "ja": "model(x) の計算で nn.{kind} が一度も呼ばれていません。問題文の層を入力からロジットまでの計算の途中で使ってください。",
        "summary_en": "the nn.{kind} is never called",
        "summary_ja": "nn.{kind} が呼ばれていません",
    },
    "training.layer_input_shape": {
        "en": "for x of shape {x_shape:idx} the nn.{kind} was called on {got:msg}; expected a tensor of shape {expected:idx}, {layout}",
        "ja": "形状 {x_shape:idx} の x に対して、nn.{kind} が{got:msg}で呼ばれました。形状 {expected:idx}、つまり {layout} のテンソルを渡してください。",
        "summary_en": "the nn.{kind} gets an input of the wrong shape",
        "summary_ja": "nn.{kind} への入力の形状が違います",
    },
    "training.not_a_tensor_input": {
        "en": "something other than a tensor",
        "ja": "テンソル以外の値",
    },
    "training.layer_unused": {
        "en": "changing the parameters of the nn.{kind} leaves the logits unchanged: the logits must be computed from the nn.{kind}'s output, not from the raw input",
        "ja": "nn.{kind} のパラメータを変えてもロジットが変わりません。ロジットは入力から直接ではなく、nn.{kind} の出力から計算してください。",
        "summary_en": "the nn.{kind}'s output does not reach the logits",
        "summary_ja": "nn.{kind} の出力がロジットに届いていません",
    },
    "training.no_linear": {
        "en": "model(x) calls no nn.Linear: pass {what:msg}",
        "ja": "model(x) が nn.Linear を呼んでいません。{what:msg}",
        "summary_en": "the logits do not come from an nn.Linear",
        "summary_ja": "ロジットが nn.Linear から出ていません",
    },
    "training.pass_state": {
        "en": "the state to nn.Linear(H, n_classes)",
        "ja": "状態を nn.Linear(H, n_classes) に渡してください。",
    },
    "training.pass_pooled": {
        "en": "the pooled features to nn.Linear(32, n_classes)",
        "ja": "プーリングした特徴量を nn.Linear(32, n_classes) に渡してください。",
    },
    "training.layer_output_shape": {
        "en": "the nn.{kind} returned an output of shape {shape} for x of shape {x_shape:idx}; with batch_first=True it is (N, T, hidden)",
        "ja": "形状 {x_shape:idx} の x に対して、nn.{kind} の出力の形状が {shape} です。batch_first=True なら (N, T, hidden) になります。",
        "summary_en": "the nn.{kind}'s output has the wrong shape",
        "summary_ja": "nn.{kind} の出力の形状が違います",
    },
    "training.not_final_state": {
        "en": "the input of the last nn.Linear (shape {shape:idx}) is not {named:msg}: classify from the state after the whole sequence, not from an average over time, another step or another direction's output",
        "ja": "最後の nn.Linear の入力（形状 {shape:idx}）が{named:msg}ではありません。時間方向の平均や別の時刻ではなく、系列全体を読んだ後の状態から分類してください。",
        "summary_en": "the dense layer does not get the state after the last step",
        "summary_ja": "全結合層に最後の時刻の後の状態が渡っていません",
    },
    "training.both_final_states": {
        "en": "the final states of both directions (h_n[0] and h_n[1], concatenated)",
        "ja": "順方向と逆方向の両方の最後の状態（h_n[0] と h_n[1] を連結したもの）",
    },
    "training.last_state": {
        "en": "the state after the last time step (out[:, -1] or h_n[-1])",
        "ja": "最後の時刻の後の状態（out[:, -1] または h_n[-1]）",
    },
    "training.no_relu": {
        "en": "the input of the dense layer is the pooled convolution without ReLU (its smallest value is {min:num}): apply ReLU to the convolution's output before pooling",
        "ja": "全結合層の入力が、ReLU をかけずにプーリングした畳み込みの出力になっています（最小値 {min:num}）。畳み込みの出力に ReLU をかけてからプーリングしてください。",
        "summary_en": "the features reaching the dense layer have had no ReLU",
        "summary_ja": "全結合層に届く特徴量に ReLU がかかっていません",
    },
    "training.not_conv_pipeline": {
        "en": "the input of the dense layer (shape {shape:idx}) is not the mean over time of MaxPool1d(2) of ReLU of the convolution's output (shape {expected:idx})",
        "ja": "全結合層の入力（形状 {shape:idx}）が、畳み込みの出力に ReLU と MaxPool1d(2) をかけて時間方向に平均したもの（形状 {expected:idx}）になっていません。",
        "summary_en": "the dense layer does not get ReLU → MaxPool1d(2) → the mean over time",
        "summary_ja": "全結合層の入力が ReLU → MaxPool1d(2) → 時間方向の平均になっていません",
    },
    # -- the summary line -------------------------------------------------------------------------
    "summary.passed": {
        "en": "All {total} tests passed.",
        "ja": "{total} 個のテストにすべて合格しました。",
    },
    "summary.failed": {
        "en": "{failed} of {total} tests failed; first, {test:msg} failed: {first:msg}",
        "ja": "{total} 個のテストのうち {failed} 個が不合格です。最初の不合格は{test:msg}: {first:msg}",
    },
    "summary.raised": {
        "en": "{failed} of {total} tests failed; first, {test:msg} raised an exception: {first:msg}",
        "ja": "{total} 個のテストのうち {failed} 個が不合格です。最初に例外が発生したのは{test:msg}: {first:msg}",
    },
    "test.named": {"en": "'{name}'", "ja": "テスト「{name}」"},
    "test.hidden": {"en": "'hidden test {n}'", "ja": "非公開テスト {n}"},
}

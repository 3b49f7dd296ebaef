"""Every message code the engine emits, with its ja and en templates (see engine.messages).

``summary_ja``/``summary_en`` are what a hidden test shows: no inputs, no expected values.
Terms follow the curriculum's Japanese: 形状 (shape), 勾配 (gradient), 許容誤差 (tolerance),
最大絶対誤差 (max abs error), 要素 (entry), 軸 (axis), 転置 (transpose), 浮動小数点数.
"""

from __future__ import annotations

from engine.message_table_training import TRAINING_MESSAGES

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
        "en": "Time limit exceeded{where:msg}: {detail:text}. Look for an endless loop or an unvectorised loop over many elements.",
        "ja": "実行時間の制限を超えました{where:msg}。{detail:text}。無限ループや、多数の要素に対するベクトル化されていないループがないか確認してください。",
    },
    "memory_limit": {
        "en": "Memory limit exceeded{where:msg}: {detail:text}.",
        "ja": "メモリの制限を超えました{where:msg}。{detail:text}。大きな配列を作りすぎていないか確認してください。",
    },
    "output_limit": {
        "en": "Output limit exceeded{where:msg}: {detail:text}. Remove large prints.",
        "ja": "出力の制限を超えました{where:msg}。{detail:text}。大量の print を削除してください。",
    },
    "crashed": {
        "en": "Your program crashed{where:msg}: {detail:text}.",
        "ja": "プログラムが異常終了しました{where:msg}。{detail:text}。",
    },
    # The limit a run went over, as the sandbox says it (engine/sandbox/verdict.py).
    "limit.wall": {
        "en": "wall-clock limit of {seconds:num} s exceeded",
        "ja": "経過時間の上限 {seconds:num} 秒に達しました",
    },
    "limit.cpu": {
        "en": "CPU time limit of {seconds:num} s exceeded",
        "ja": "CPU 時間の上限 {seconds:num} 秒に達しました",
    },
    "limit.memory": {
        "en": "memory limit of {mb} MB exceeded",
        "ja": "メモリ使用量が上限の {mb} MB を超えました",
    },
    "limit.memory_error": {
        "en": "memory limit of {mb} MB exceeded (MemoryError)",
        "ja": "メモリ使用量が上限の {mb} MB を超えました（MemoryError）",
    },
    "limit.stdout": {
        "en": "stdout exceeded {bytes} bytes",
        "ja": "標準出力が上限の {bytes} バイトを超えました",
    },
    "limit.stderr": {
        "en": "stderr exceeded {bytes} bytes",
        "ja": "標準エラー出力が上限の {bytes} バイトを超えました",
    },
    "limit.result": {
        "en": "result channel exceeded {bytes} bytes",
        "ja": "結果のデータが上限の {bytes} バイトを超えました",
    },
    "limit.result_budget": {
        "en": "the result is too large to check: {why:text}; return a few NumPy arrays instead of nested lists or many small pieces",
        "ja": "結果が大きすぎて確認できません（{why:text}）。入れ子のリストや細かな断片ではなく、少数の NumPy 配列で返してください",
    },
    # Which of the trusted decoder's budgets a result went over (engine/sandbox/inside/wire.py).
    "budget.cpu": {
        "en": "more than {seconds:num} s of the grader's CPU to decode",
        "ja": "読み取りに採点側の CPU 時間が {seconds:num} 秒より多く必要です",
    },
    "budget.containers": {
        "en": "more than {count} lists, tuples or dicts",
        "ja": "リスト・タプル・辞書が {count} 個を超えています",
    },
    "budget.elements": {
        "en": "more than {count} elements",
        "ja": "要素が {count} 個を超えています",
    },
    "limit.unknown_time": {"en": "your code ran too long", "ja": "実行に時間がかかりすぎました"},
    "limit.unknown_memory": {
        "en": "your code used too much memory",
        "ja": "メモリを使いすぎました",
    },
    "limit.unknown_output": {"en": "your code printed too much", "ja": "出力が多すぎました"},
    # Why a run ended without its result (engine/sandbox/verdict.py).
    "crash.corrupted": {
        "en": "the result channel was corrupted ({why})",
        "ja": "結果を送る通信路が壊されました（{why}）",
    },
    "crash.signal": {
        "en": "the program was killed by {signal}",
        "ja": "プログラムがシグナル {signal} で強制終了されました",
    },
    "crash.segfault": {
        "en": "the program was killed by {signal} (segmentation fault, e.g. a stack overflow from deep recursion)",
        "ja": "プログラムがシグナル {signal} で強制終了されました（セグメンテーション違反。深い再帰によるスタックの溢れなど）",
    },
    "crash.exit_status": {
        "en": "the program exited with status {status} before finishing",
        "ja": "プログラムが終了コード {status} で途中終了しました",
    },
    "crash.exited": {
        "en": "the program exited before finishing",
        "ja": "プログラムが途中で終了しました",
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
    # -- training exercises (engine/training): engine/message_table_training.py
    **TRAINING_MESSAGES,
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

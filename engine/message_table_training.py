"""The training exercises' message codes (``training.*``), with their ja and en templates;
part of ``engine.message_table.MESSAGES``."""

from __future__ import annotations

TRAINING_MESSAGES: dict[str, dict[str, str]] = {
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
}

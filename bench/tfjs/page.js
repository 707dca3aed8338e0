// The same Gatys step in TensorFlow.js (for comparison only; the engine uses no ML framework):
// VGG19 to conv5_1 with He-normal random weights, content loss at conv4_2, Gram style losses at
// conv1_1 … conv5_1, gradient to the image and an Adam update, on tf.js's WASM backend (SIMD and
// threads where the page is cross-origin isolated). Loaded after tf.min.js and tf-backend-wasm.min.js.
/* global tf */
const CONVS = [
  ['conv1_1', 3, 64, false], ['conv1_2', 64, 64, true],
  ['conv2_1', 64, 128, false], ['conv2_2', 128, 128, true],
  ['conv3_1', 128, 256, false], ['conv3_2', 256, 256, false], ['conv3_3', 256, 256, false], ['conv3_4', 256, 256, true],
  ['conv4_1', 256, 512, false], ['conv4_2', 512, 512, false], ['conv4_3', 512, 512, false], ['conv4_4', 512, 512, true],
  ['conv5_1', 512, 512, false],
];
const STYLE = ['conv1_1', 'conv2_1', 'conv3_1', 'conv4_1', 'conv5_1'];

globalThis.tfjsGatysStep = async (size, steps) => {
  tf.wasm.setWasmPaths('/');
  await tf.setBackend('wasm');
  await tf.ready();
  const weights = CONVS.map(([, ci, co]) => [tf.randomNormal([3, 3, ci, co], 0, Math.sqrt(2 / (9 * ci))), tf.zeros([co])]);
  const features = (x) => {
    const out = {};
    let h = x;
    CONVS.forEach(([name, , , poolAfter], i) => {
      h = tf.relu(tf.add(tf.conv2d(h, weights[i][0], 1, 'same'), weights[i][1]));
      out[name] = h;
      if (poolAfter) h = tf.maxPool(h, 2, 2, 'valid');
    });
    return out;
  };
  const gram = (f) => {
    const [, H, W, C] = f.shape;
    const m = tf.reshape(f, [H * W, C]);
    return tf.div(tf.matMul(m, m, true, false), 4 * C * C * (H * W) ** 2);
  };
  const targets = tf.tidy(() => {
    const fc = features(tf.randomUniform([1, size, size, 3]));
    const fs = features(tf.randomUniform([1, size, size, 3]));
    return [fc.conv4_2, ...STYLE.map((l) => gram(fs[l]))];
  });
  const image = tf.variable(tf.randomUniform([1, size, size, 3]));
  const adam = tf.train.adam(0.02);
  const loss = () => {
    const f = features(image);
    let l = tf.mul(tf.sum(tf.squaredDifference(f.conv4_2, targets[0])), 0.5);
    STYLE.forEach((s, i) => (l = tf.add(l, tf.mul(tf.sum(tf.squaredDifference(gram(f[s]), targets[i + 1])), 200))));
    return l;
  };
  const ms = [];
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    const cost = adam.minimize(loss, true, [image]);
    await cost.data();
    cost.dispose();
    ms.push(performance.now() - t0);
  }
  targets.forEach((t) => t.dispose());
  weights.flat().forEach((t) => t.dispose());
  image.dispose();
  return { threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'), simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), ms };
};

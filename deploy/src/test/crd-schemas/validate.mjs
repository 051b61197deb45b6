// Reads a JSON array of custom resources on stdin and validates each against the schema its operator's CRD
// declares for its apiVersion and kind. Prints one line per problem; exits 1 if there is any.
const MODELS = {
  "kafka.strimzi.io/v1": "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1",
  "kafka.strimzi.io/v1beta2": "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2",
  "postgresql.cnpg.io/v1": "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
  "keda.sh/v1alpha1": "@kubernetes-models/keda/keda.sh/v1alpha1",
};

let input = "";
for await (const chunk of process.stdin) input += chunk;
const problems = [];
for (const object of JSON.parse(input)) {
  const name = `${object.apiVersion}/${object.kind} ${object.metadata?.name}`;
  const module = MODELS[object.apiVersion];
  const model = module && (await import(`${module}/${object.kind}`).catch(() => null))?.[object.kind];
  if (!model) {
    problems.push(`${name}: no schema for this apiVersion and kind`);
    continue;
  }
  try {
    new model(object).validate();
    console.log(`${name}: valid`);
  } catch (e) {
    problems.push(`${name}: ${e.message}`);
  }
}
problems.forEach((p) => console.log(`INVALID ${p}`));
process.exit(problems.length === 0 ? 0 : 1);

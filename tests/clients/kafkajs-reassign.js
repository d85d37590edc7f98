// Starts a partition reassignment with kafkajs's admin client, lists it, tries a bad one, and prints one
// JSON line the .NET test checks. Usage: node kafkajs-reassign.js <bootstrap> <topic> <target replicas, comma separated>
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const [bootstrap, topic, target] = process.argv.slice(2);
  const replicas = target.split(',').map(Number);
  const kafka = new Kafka({ clientId: 'kora-kafkajs-reassign', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas }] }] });
  const listed = await admin.listPartitionReassignments({ topics: [{ topic, partitions: [0] }] });
  let invalid = [];
  try {
    await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [replicas[0], replicas[0]] }] }] });
  } catch (e) {
    invalid = (e.errors || [e]).map(x => x.type || x.name);
  }
  let unknown = [];
  try {
    await admin.alterPartitionReassignments({ topics: [{ topic: `${topic}-missing`, partitionAssignment: [{ partition: 0, replicas }] }] });
  } catch (e) {
    unknown = (e.errors || [e]).map(x => x.type || x.name);
  }
  await admin.disconnect();
  console.log(JSON.stringify({ listed: listed.topics, invalid, unknown }));
}

main().catch(e => { console.error(e); process.exit(1); });

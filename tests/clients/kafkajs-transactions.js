// Transactions with kafkajs: a committed and an aborted transaction, each with offsets sent for a group,
// then the group's offsets as its admin client sees them. Prints one JSON line the .NET test checks.
// Usage: node kafkajs-transactions.js <bootstrap> <topic> <group>
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const [bootstrap, topic, group] = process.argv.slice(2);
  const kafka = new Kafka({ clientId: 'kora-kafkajs-txn', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  const producer = kafka.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();

  const committed = await producer.transaction();
  await committed.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ value: 'committed', partition: i % 2 })) });
  await committed.sendOffsets({ consumerGroupId: group, topics: [{ topic, partitions: [{ partition: 0, offset: '7' }] }] });
  await committed.commit();

  const aborted = await producer.transaction();
  await aborted.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ value: 'aborted', partition: i % 2 })) });
  await aborted.sendOffsets({ consumerGroupId: group, topics: [{ topic, partitions: [{ partition: 0, offset: '30' }] }] });
  await aborted.abort();

  await producer.disconnect();
  const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  await admin.disconnect();
  const partition0 = offsets[0].partitions.find(p => p.partition === 0);
  console.log(JSON.stringify({ offset: Number(partition0.offset) }));
}

main().catch(e => { console.error(e); process.exit(1); });

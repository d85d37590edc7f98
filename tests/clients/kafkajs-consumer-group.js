// kafkajs consumer group against Kora: two consumers in one group read a 4-partition topic,
// committing as they go. Prints one JSON line: {"consumed":N,"distinct":N,"members":N}.
// Usage: node kafkajs-consumer-group.js <bootstrap> <topic> <group>
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, topic, groupId] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'kora-kafkajs-group', brokers: [bootstrap], logLevel: logLevel.NOTHING });

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 4 }));
  await producer.send({ topic, messages });
  await producer.disconnect();

  const seen = new Map();
  const consumers = [0, 1].map(() => kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 300, rebalanceTimeout: 10000 }));
  for (const consumer of consumers) {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const key = `${partition}:${message.offset}`;
        seen.set(key, (seen.get(key) || 0) + 1);
      },
    });
  }
  const deadline = Date.now() + 20000;
  while (seen.size < 200 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const described = await admin.describeGroups([groupId]);
  const members = described.groups[0].members.length;
  for (const consumer of consumers) {
    await consumer.disconnect();
  }
  await admin.disconnect();
  const consumed = [...seen.values()].reduce((a, b) => a + b, 0);
  console.log(JSON.stringify({ consumed, distinct: seen.size, members }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Produces with kafkajs (none and gzip), reads metadata and offsets with its admin client,
// and prints one JSON line the .NET test checks. Usage: node kafkajs-roundtrip.js <bootstrap> <topic>
const { Kafka, CompressionTypes, logLevel } = require('kafkajs');

async function main() {
  const [bootstrap, topic] = process.argv.slice(2);
  const kafka = new Kafka({ clientId: 'kora-kafkajs-test', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let sent = 0;
  for (const compression of [CompressionTypes.None, CompressionTypes.GZIP]) {
    for (let batch = 0; batch < 10; batch++) {
      const messages = [];
      for (let i = 0; i < 100; i++) {
        messages.push({ key: `k${sent}`, value: `v${sent}`, partition: sent % 3, headers: { seq: `${sent}` } });
        sent++;
      }
      await producer.send({ topic, acks: -1, compression, messages });
    }
  }
  await producer.disconnect();
  const offsets = await admin.fetchTopicOffsets(topic);
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const topics = await admin.listTopics();
  await admin.disconnect();
  console.log(JSON.stringify({
    sent,
    high: offsets.map(o => Number(o.high)).reduce((a, b) => a + b, 0),
    partitions: metadata.topics[0].partitions.length,
    listed: topics.includes(topic),
  }));
}

main().catch(e => { console.error(e); process.exit(1); });

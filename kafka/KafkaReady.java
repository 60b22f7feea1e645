// Readiness probe for the development broker started by scripts/kafka.sh: exits 0 once the broker
// answers a metadata request (describeCluster lists at least one broker and listTopics succeeds),
// 1 otherwise. Every call is bounded so the script's wait loop stays bounded too.
import java.time.Duration;
import java.util.Collection;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;

public final class KafkaReady {
  private static final int REQUEST_TIMEOUT_MS = 3_000;
  private static final int CALL_TIMEOUT_MS = 5_000;

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: KafkaReady <host:port>");
      System.exit(2);
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "acta-kafka-ready");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(REQUEST_TIMEOUT_MS));
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(CALL_TIMEOUT_MS));
    Admin admin = Admin.create(props);
    int status = 1;
    try {
      Collection<Node> brokers = admin.describeCluster().nodes().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      Set<String> topics = admin.listTopics().names().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      if (brokers.isEmpty()) {
        System.err.println("not ready: the cluster reports no brokers yet");
      } else {
        System.out.println("ready: " + brokers.size() + " broker(s), " + topics.size() + " topic(s)");
        status = 0;
      }
    } catch (Exception e) {
      System.err.println("not ready: " + e);
    } finally {
      admin.close(Duration.ofSeconds(2));
    }
    System.exit(status);
  }
}

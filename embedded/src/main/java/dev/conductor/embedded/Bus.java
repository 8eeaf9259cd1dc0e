package dev.conductor.embedded;

import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import dev.conductor.events.Topics.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Provisions the bus: the principals' SCRAM credentials, every topic of {@link Topics#all} and the
 * ACLs that follow from each topic's one writer and its readers, together and before any service
 * uses them. Run with the {@link Principals#ADMIN} super user; everything it does is idempotent, so
 * it runs at every start and again for pools added later.
 *
 * <p>The ACLs, deny by default ({@code allow.everyone.if.no.acl.found=false}):
 *
 * <ul>
 *   <li>a topic's writer may write it (and describe it), its readers may read it;
 *   <li>each service and each pool's executors may use the consumer group named after their
 *       principal and those named {@code <principal>-*}; analysts groups named {@code analyst*} or
 *       the console consumer's;
 *   <li>nothing else: upstream producers write only {@code conductor.triggers}, analysts read only
 *       {@code conductor.audit}, and no service may create topics or change ACLs.
 * </ul>
 */
public final class Bus {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int SCRAM_ITERATIONS = 4096;

  private Bus() {}

  /** Every ACL of a bus with these pools. */
  public static List<AclBinding> acls(List<String> pools) {
    Set<AclBinding> acls = new LinkedHashSet<>();
    for (TopicSpec topic : Topics.all(pools)) {
      acls.add(
          allow(
              ResourceType.TOPIC,
              topic.name(),
              PatternType.LITERAL,
              topic.writer(),
              AclOperation.WRITE));
      for (String reader : topic.readers()) {
        acls.add(
            allow(
                ResourceType.TOPIC, topic.name(), PatternType.LITERAL, reader, AclOperation.READ));
      }
    }
    List<String> consumers = new ArrayList<>(Principals.SERVICES);
    pools.forEach(pool -> consumers.add(Principals.executor(pool)));
    // Its own name, or its name and a dash: executor-dev must not reach the groups of pool dev2.
    for (String principal : consumers) {
      acls.add(
          allow(ResourceType.GROUP, principal, PatternType.LITERAL, principal, AclOperation.READ));
      acls.add(
          allow(
              ResourceType.GROUP,
              principal + "-",
              PatternType.PREFIXED,
              principal,
              AclOperation.READ));
    }
    for (String group : List.of(Principals.ANALYST, "console-consumer-")) {
      acls.add(
          allow(
              ResourceType.GROUP,
              group,
              PatternType.PREFIXED,
              Principals.ANALYST,
              AclOperation.READ));
    }
    return List.copyOf(acls);
  }

  /**
   * Upserts the SCRAM credentials of every principal in {@code secrets} but the admin (whose own
   * were written when the storage was formatted), creates the topics of {@code pools} that do not
   * exist and their ACLs, and waits until the broker serves all of it.
   */
  public static void provision(Admin admin, List<String> pools, BusSecrets secrets) {
    try {
      upsertCredentials(admin, secrets);
      createTopics(admin, pools);
      List<AclBinding> acls = acls(pools);
      admin.createAcls(acls).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      awaitAcls(admin, acls);
      awaitLeaders(
          admin, Topics.all(pools).stream().map(TopicSpec::name).collect(Collectors.toSet()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while provisioning the bus", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot provision the bus: " + e.getMessage(), e);
    }
  }

  private static void upsertCredentials(Admin admin, BusSecrets secrets)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<UserScramCredentialAlteration> upserts = new ArrayList<>();
    secrets
        .passwords()
        .forEach(
            (principal, password) -> {
              if (!principal.equals(Principals.ADMIN)) {
                upserts.add(
                    new UserScramCredentialUpsertion(
                        principal,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS),
                        password));
              }
            });
    admin.alterUserScramCredentials(upserts).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private static void createTopics(Admin admin, List<String> pools)
      throws InterruptedException, TimeoutException {
    List<NewTopic> topics = new ArrayList<>();
    for (TopicSpec spec : Topics.all(pools)) {
      NewTopic topic = new NewTopic(spec.name(), Optional.of(spec.partitions()), Optional.empty());
      if (spec.logAppendTime()) {
        topic.configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"));
      }
      topics.add(topic);
    }
    for (Map.Entry<String, KafkaFuture<Void>> created :
        admin.createTopics(topics).values().entrySet()) {
      try {
        created.getValue().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create topic " + created.getKey(), e);
        }
      }
    }
  }

  /** The broker authorizes with what its metadata holds; wait until it holds every ACL. */
  private static void awaitAcls(Admin admin, List<AclBinding> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      try {
        if (admin
            .describeAcls(AclBindingFilter.ANY)
            .values()
            .get(5, TimeUnit.SECONDS)
            .containsAll(wanted)) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        // not served yet: ask again
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the broker did not serve the bus's ACLs within " + TIMEOUT);
      }
      Thread.sleep(50);
    }
  }

  /**
   * A created topic is committed on the controller before the broker's metadata catches up; clients
   * that start right after this returns must find every partition led.
   */
  private static void awaitLeaders(Admin admin, Set<String> names) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        Map<String, TopicDescription> described =
            admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS);
        boolean led =
            described.values().stream()
                .flatMap(d -> d.partitions().stream())
                .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        if (led && described.keySet().containsAll(names)) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        last = e; // typically UnknownTopicOrPartition until metadata propagates
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("topics have no leader after " + TIMEOUT, last);
  }

  private static AclBinding allow(
      ResourceType type, String name, PatternType pattern, String principal, AclOperation op) {
    return new AclBinding(
        new ResourcePattern(type, name, pattern),
        new AccessControlEntry("User:" + principal, "*", op, AclPermissionType.ALLOW));
  }
}

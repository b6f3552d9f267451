package dev.berth.core.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableConvertorsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<Object> cells(String group, String resource, String object) {
        return TableConvertors.forResource(group, resource).cells(json(object), NOW);
    }

    private static List<String> columnNames(String group, String resource) {
        return TableConvertors.forResource(group, resource).columns().stream().map(ColumnDefinition::name).toList();
    }

    @Test
    void podColumnsMatchKubectlIncludingWideOnes() {
        List<ColumnDefinition> columns = TableConvertors.forResource("", "pods").columns();
        assertThat(columns).extracting(ColumnDefinition::name).containsExactly("Name", "Ready", "Status", "Restarts",
                "Age", "IP", "Node", "Nominated Node", "Readiness Gates");
        assertThat(columns).extracting(ColumnDefinition::priority).containsExactly(0, 0, 0, 0, 0, 1, 1, 1, 1);
        assertThat(columns.getFirst().format()).isEqualTo("name");
    }

    @Test
    void runningPodShowsReadyContainersIpAndNode() {
        assertThat(cells("", "pods", """
                {'metadata':{'name':'web-1','creationTimestamp':'2024-05-01T11:55:00Z'},
                 'spec':{'nodeName':'n1','containers':[{'name':'a'},{'name':'b'}]},
                 'status':{'phase':'Running','podIP':'10.42.0.5','podIPs':[{'ip':'10.42.0.5'}],
                   'conditions':[{'type':'Ready','status':'True'}],
                   'containerStatuses':[
                     {'name':'a','ready':true,'restartCount':0,'state':{'running':{'startedAt':'2024-05-01T11:55:03Z'}}},
                     {'name':'b','ready':true,'restartCount':0,'state':{'running':{'startedAt':'2024-05-01T11:55:03Z'}}}]}}
                """)).containsExactly("web-1", "2/2", "Running", "0", "5m", "10.42.0.5", "n1", "<none>", "<none>");
    }

    @Test
    void crashLoopingPodShowsWaitingReasonAndLastRestart() {
        assertThat(cells("", "pods", """
                {'metadata':{'name':'bad','creationTimestamp':'2024-05-01T10:00:00Z'},
                 'spec':{'containers':[{'name':'a'}]},
                 'status':{'phase':'Running','containerStatuses':[
                   {'name':'a','ready':false,'restartCount':7,
                    'state':{'waiting':{'reason':'CrashLoopBackOff'}},
                    'lastState':{'terminated':{'exitCode':1,'reason':'Error','finishedAt':'2024-05-01T11:55:00Z'}}}]}}
                """)).startsWith("bad", "0/1", "CrashLoopBackOff", "7 (5m ago)", "120m");
    }

    @Test
    void podWaitingForItsSecondInitContainerShowsInitProgress() {
        assertThat(cells("", "pods", """
                {'metadata':{'name':'p','creationTimestamp':'2024-05-01T11:59:50Z'},
                 'spec':{'initContainers':[{'name':'i1'},{'name':'i2'}],'containers':[{'name':'a'}]},
                 'status':{'phase':'Pending',
                   'initContainerStatuses':[
                     {'name':'i1','restartCount':0,'state':{'terminated':{'exitCode':0,'reason':'Completed'}}},
                     {'name':'i2','restartCount':0,'state':{'running':{}}}],
                   'containerStatuses':[{'name':'a','restartCount':0,'state':{'waiting':{'reason':'PodInitializing'}}}]}}
                """)).startsWith("p", "0/1", "Init:1/2", "0", "10s");
    }

    @Test
    void failingInitContainerShowsItsReason() {
        assertThat(cells("", "pods", """
                {'metadata':{'name':'p'},
                 'spec':{'initContainers':[{'name':'i1'}],'containers':[{'name':'a'}]},
                 'status':{'phase':'Pending','initContainerStatuses':[
                   {'name':'i1','restartCount':3,'state':{'waiting':{'reason':'CrashLoopBackOff'}}}]}}
                """)).startsWith("p", "0/1", "Init:CrashLoopBackOff", "3", "<unknown>");
    }

    @Test
    void sidecarInitContainerCountsTowardsReadiness() {
        assertThat(cells("", "pods", """
                {'metadata':{'name':'p'},
                 'spec':{'initContainers':[{'name':'proxy','restartPolicy':'Always'}],'containers':[{'name':'a'}]},
                 'status':{'phase':'Running','conditions':[{'type':'Initialized','status':'True'},{'type':'Ready','status':'True'}],
                   'initContainerStatuses':[{'name':'proxy','ready':true,'started':true,'restartCount':1,'state':{'running':{}}}],
                   'containerStatuses':[{'name':'a','ready':true,'restartCount':0,'state':{'running':{}}}]}}
                """)).startsWith("p", "2/2", "Running", "1");
    }

    @Test
    void completedPodShowsCompleted() {
        assertThat(cells("", "pods", """
                {'metadata':{'name':'job-x'},'spec':{'containers':[{'name':'a'}]},
                 'status':{'phase':'Succeeded','containerStatuses':[
                   {'name':'a','ready':false,'restartCount':0,'state':{'terminated':{'exitCode':0,'reason':'Completed'}}}]}}
                """)).startsWith("job-x", "0/1", "Completed");
    }

    @Test
    void terminatedWithoutReasonShowsExitCodeOrSignal() {
        assertThat(cells("", "pods", """
                {'metadata':{'name':'p'},'spec':{'containers':[{'name':'a'}]},
                 'status':{'phase':'Failed','containerStatuses':[
                   {'name':'a','restartCount':0,'state':{'terminated':{'exitCode':137,'signal':9}}}]}}
                """).get(2)).isEqualTo("Signal:9");
        assertThat(cells("", "pods", """
                {'metadata':{'name':'p'},'spec':{'containers':[{'name':'a'}]},
                 'status':{'phase':'Failed','containerStatuses':[
                   {'name':'a','restartCount':0,'state':{'terminated':{'exitCode':3}}}]}}
                """).get(2)).isEqualTo("ExitCode:3");
    }

    @Test
    void deletedPodShowsTerminatingUnlessItFinished() {
        assertThat(cells("", "pods", """
                {'metadata':{'name':'p','deletionTimestamp':'2024-05-01T12:00:30Z'},'spec':{'containers':[{'name':'a'}]},
                 'status':{'phase':'Running','containerStatuses':[{'name':'a','ready':true,'restartCount':0,'state':{'running':{}}}]}}
                """).get(2)).isEqualTo("Terminating");
        assertThat(cells("", "pods", """
                {'metadata':{'name':'p','deletionTimestamp':'2024-05-01T12:00:30Z'},'spec':{'containers':[{'name':'a'}]},
                 'status':{'phase':'Succeeded','containerStatuses':[{'name':'a','restartCount':0,'state':{'terminated':{'exitCode':0,'reason':'Completed'}}}]}}
                """).get(2)).isEqualTo("Completed");
    }

    @Test
    void pendingPodShowsContainerCreatingAndReadinessGates() {
        assertThat(cells("", "pods", """
                {'metadata':{'name':'p'},'spec':{'containers':[{'name':'a'}],'readinessGates':[{'conditionType':'x/ok'}]},
                 'status':{'phase':'Pending','nominatedNodeName':'n2','conditions':[{'type':'x/ok','status':'False'}],
                   'containerStatuses':[{'name':'a','restartCount':0,'state':{'waiting':{'reason':'ContainerCreating'}}}]}}
                """)).containsExactly("p", "0/1", "ContainerCreating", "0", "<unknown>", "<none>", "<none>", "n2", "0/1");
    }

    @Test
    void nodePortServiceShowsNodePortsAndSelector() {
        assertThat(cells("", "services", """
                {'metadata':{'name':'web','creationTimestamp':'2024-04-30T12:00:00Z'},
                 'spec':{'type':'NodePort','clusterIP':'10.43.0.20','clusterIPs':['10.43.0.20'],
                   'ports':[{'port':80,'nodePort':30080,'protocol':'TCP'},{'port':53,'protocol':'UDP'}],
                   'selector':{'tier':'fe','app':'web'}}}
                """)).containsExactly("web", "NodePort", "10.43.0.20", "<none>", "80:30080/TCP,53/UDP", "24h",
                "app=web,tier=fe");
    }

    @Test
    void loadBalancerServiceListsSortedIngressPointsThenExternalIps() {
        assertThat(cells("", "services", """
                {'metadata':{'name':'lb'},'spec':{'type':'LoadBalancer','clusterIPs':['10.43.0.9'],'externalIPs':['1.2.3.4'],
                 'ports':[{'port':443,'protocol':'TCP','nodePort':31000}]},
                 'status':{'loadBalancer':{'ingress':[{'ip':'192.168.1.60'},{'hostname':'lb.example'},{'ip':'192.168.1.50'}]}}}
                """)).startsWith("lb", "LoadBalancer", "10.43.0.9", "192.168.1.50,192.168.1.60,lb.example,1.2.3.4",
                "443:31000/TCP");
    }

    @Test
    void loadBalancerServiceWithoutIngressIsPending() {
        assertThat(cells("", "services", """
                {'metadata':{'name':'lb'},'spec':{'type':'LoadBalancer','clusterIPs':['10.43.0.9'],'ports':[{'port':443,'protocol':'TCP','nodePort':31000}]}}
                """).get(3)).isEqualTo("<pending>");
        assertThat(cells("", "services", """
                {'metadata':{'name':'x'},'spec':{'type':'ExternalName','externalName':'db.example.com'}}
                """)).startsWith("x", "ExternalName", "<none>", "db.example.com", "<none>");
    }

    @Test
    void deploymentShowsReadyOverDesiredAndWideContainers() {
        assertThat(columnNames("apps", "deployments")).containsExactly("Name", "Ready", "Up-to-date", "Available",
                "Age", "Containers", "Images", "Selector");
        assertThat(cells("apps", "deployments", """
                {'metadata':{'name':'web','creationTimestamp':'2024-05-01T11:00:00Z'},
                 'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web'},
                   'matchExpressions':[{'key':'env','operator':'In','values':['prod','dev']}]},
                   'template':{'spec':{'containers':[{'name':'nginx','image':'nginx:1.27'},{'name':'log','image':'busybox'}]}}},
                 'status':{'replicas':3,'updatedReplicas':3,'readyReplicas':2,'availableReplicas':2}}
                """)).containsExactly("web", "2/3", 3L, 2L, "60m", "nginx,log", "nginx:1.27,busybox",
                "app=web,env in (dev,prod)");
    }

    @Test
    void replicaSetDaemonSetAndStatefulSetCountReplicas() {
        assertThat(cells("apps", "replicasets", """
                {'metadata':{'name':'web-abc'},'spec':{'replicas':2,'selector':{'matchLabels':{'app':'web'}},
                 'template':{'spec':{'containers':[{'name':'c','image':'i'}]}}},'status':{'replicas':2,'readyReplicas':1}}
                """)).containsExactly("web-abc", 2L, 2L, 1L, "<unknown>", "c", "i", "app=web");
        assertThat(cells("apps", "daemonsets", """
                {'metadata':{'name':'agent'},'spec':{'selector':{},'template':{'spec':{'nodeSelector':{'os':'linux'},'containers':[]}}},
                 'status':{'desiredNumberScheduled':3,'currentNumberScheduled':3,'numberReady':2,'updatedNumberScheduled':3,'numberAvailable':2}}
                """)).containsExactly("agent", 3L, 3L, 2L, 3L, 2L, "os=linux", "<unknown>", "", "", "<none>");
        assertThat(cells("apps", "statefulsets", """
                {'metadata':{'name':'db'},'spec':{'replicas':3,'template':{'spec':{'containers':[{'name':'pg','image':'postgres'}]}}},
                 'status':{'readyReplicas':1}}
                """)).containsExactly("db", "1/3", "<unknown>", "pg", "postgres");
    }

    @Test
    void completedJobShowsCompleteCompletionsAndDuration() {
        assertThat(columnNames("batch", "jobs")).containsExactly("Name", "Status", "Completions", "Duration", "Age",
                "Containers", "Images", "Selector");
        assertThat(cells("batch", "jobs", """
                {'metadata':{'name':'pi','creationTimestamp':'2024-05-01T11:50:00Z'},
                 'spec':{'completions':1,'parallelism':1,'selector':{'matchLabels':{'batch.kubernetes.io/controller-uid':'u1'}},
                   'template':{'spec':{'containers':[{'name':'pi','image':'perl'}]}}},
                 'status':{'succeeded':1,'startTime':'2024-05-01T11:50:00Z','completionTime':'2024-05-01T11:50:42Z',
                   'conditions':[{'type':'SuccessCriteriaMet','status':'True'},{'type':'Complete','status':'True'}]}}
                """)).containsExactly("pi", "Complete", "1/1", "42s", "10m", "pi", "perl",
                "batch.kubernetes.io/controller-uid=u1");
    }

    @Test
    void runningJobWithoutCompletionsShowsParallelism() {
        assertThat(cells("batch", "jobs", """
                {'metadata':{'name':'w'},'spec':{'parallelism':3,'template':{'spec':{'containers':[]}}},
                 'status':{'succeeded':1,'startTime':'2024-05-01T11:59:00Z'}}
                """)).startsWith("w", "Running", "1/1 of 3", "60s");
    }

    @Test
    void cronJobShowsScheduleSuspendAndLastSchedule() {
        assertThat(cells("batch", "cronjobs", """
                {'metadata':{'name':'nightly'},'spec':{'schedule':'0 3 * * *','suspend':false,
                  'jobTemplate':{'spec':{'template':{'spec':{'containers':[{'name':'b','image':'backup'}]}}}}},
                 'status':{'active':[{'name':'nightly-1'}],'lastScheduleTime':'2024-05-01T11:58:00Z'}}
                """)).containsExactly("nightly", "0 3 * * *", "<none>", "False", 1L, "2m", "<unknown>", "b", "backup",
                "<none>");
    }

    @Test
    void nodeShowsReadinessCordonRolesAndAddresses() {
        assertThat(cells("", "nodes", """
                {'metadata':{'name':'n1','creationTimestamp':'2024-04-28T12:00:00Z',
                  'labels':{'node-role.kubernetes.io/control-plane':'','node-role.kubernetes.io/worker':'','kubernetes.io/role':'edge'}},
                 'spec':{'unschedulable':true},
                 'status':{'conditions':[{'type':'MemoryPressure','status':'False'},{'type':'Ready','status':'True'}],
                   'addresses':[{'type':'InternalIP','address':'192.168.1.10'},{'type':'Hostname','address':'n1'}],
                   'nodeInfo':{'kubeletVersion':'v1.32.0-berth','osImage':'Ubuntu 24.04','kernelVersion':'6.8.0',
                     'containerRuntimeVersion':'docker://27.1'}}}
                """)).containsExactly("n1", "Ready,SchedulingDisabled", "control-plane,edge,worker", "3d",
                "v1.32.0-berth", "192.168.1.10", "<none>", "Ubuntu 24.04", "6.8.0", "docker://27.1");
        assertThat(cells("", "nodes", "{'metadata':{'name':'n2'},'status':{'conditions':[{'type':'Ready','status':'Unknown'}]}}"))
                .startsWith("n2", "NotReady", "<none>");
    }

    @Test
    void namespacesConfigMapsSecretsAndServiceAccountsCountTheirData() {
        assertThat(cells("", "namespaces", "{'metadata':{'name':'dev'},'status':{'phase':'Active'}}"))
                .containsExactly("dev", "Active", "<unknown>");
        assertThat(cells("", "configmaps", "{'metadata':{'name':'c'},'data':{'a':'1','b':'2'},'binaryData':{'c':'AA=='}}"))
                .containsExactly("c", 3L, "<unknown>");
        assertThat(cells("", "secrets", "{'metadata':{'name':'s'},'type':'Opaque','data':{'p':'cA=='}}"))
                .containsExactly("s", "Opaque", 1L, "<unknown>");
        assertThat(cells("", "serviceaccounts", "{'metadata':{'name':'default'}}"))
                .containsExactly("default", 0L, "<unknown>");
    }

    @Test
    void eventShowsObjectSourceAndCount() {
        assertThat(columnNames("", "events")).containsExactly("Last Seen", "Type", "Reason", "Object", "Subobject",
                "Source", "Message", "First Seen", "Count", "Name");
        assertThat(cells("", "events", """
                {'metadata':{'name':'web-1.17c'},'type':'Warning','reason':'BackOff','message':'Back-off restarting ',
                 'involvedObject':{'kind':'Pod','name':'web-1','fieldPath':'spec.containers{a}'},
                 'source':{'component':'kubelet','host':'n1'},'count':4,
                 'firstTimestamp':'2024-05-01T11:00:00Z','lastTimestamp':'2024-05-01T11:59:30Z'}
                """)).containsExactly("30s", "Warning", "BackOff", "pod/web-1", "spec.containers{a}", "kubelet, n1",
                "Back-off restarting", "60m", 4L, "web-1.17c");
    }

    @Test
    void eventsFromTheEventsApiUseTheirOwnFieldNames() {
        assertThat(cells("events.k8s.io", "events", """
                {'metadata':{'name':'e'},'type':'Normal','reason':'Scheduled','note':'Assigned dev/web-1 to n1',
                 'regarding':{'kind':'Pod','name':'web-1'},'reportingController':'default-scheduler',
                 'eventTime':'2024-05-01T11:59:00.000000Z'}
                """)).containsExactly("60s", "Normal", "Scheduled", "pod/web-1", "", "default-scheduler",
                "Assigned dev/web-1 to n1", "60s", 1L, "e");
    }

    @Test
    void endpointsAndEndpointSlicesListAddressesWithMore() {
        assertThat(cells("", "endpoints", """
                {'metadata':{'name':'web'},'subsets':[{'addresses':[{'ip':'10.42.0.1'},{'ip':'10.42.0.2'}],
                  'ports':[{'port':80},{'port':443}]}]}
                """).get(1)).isEqualTo("10.42.0.1:80,10.42.0.2:80,10.42.0.1:443 + 1 more...");
        assertThat(cells("", "endpoints", "{'metadata':{'name':'e'}}").get(1)).isEqualTo("<none>");
        assertThat(cells("discovery.k8s.io", "endpointslices", """
                {'metadata':{'name':'web-x'},'addressType':'IPv4','ports':[{'port':80}],
                 'endpoints':[{'addresses':['10.42.0.1']},{'addresses':['10.42.0.2']}]}
                """)).containsExactly("web-x", "IPv4", "80", "10.42.0.1,10.42.0.2", "<unknown>");
    }

    @Test
    void ingressShowsClassHostsAddressAndTlsPorts() {
        assertThat(cells("networking.k8s.io", "ingresses", """
                {'metadata':{'name':'i'},'spec':{'ingressClassName':'nginx','rules':[{'host':'a.example'},{'host':'b.example'}],
                 'tls':[{'hosts':['a.example']}]},'status':{'loadBalancer':{'ingress':[{'ip':'192.168.1.50'}]}}}
                """)).containsExactly("i", "nginx", "a.example,b.example", "192.168.1.50", "80, 443", "<unknown>");
    }

    @Test
    void storageObjectsShowCapacityModesAndClass() {
        assertThat(cells("", "persistentvolumes", """
                {'metadata':{'name':'pv1'},'spec':{'capacity':{'storage':'10Gi'},'accessModes':['ReadWriteMany','ReadWriteOnce'],
                 'persistentVolumeReclaimPolicy':'Retain','storageClassName':'local','claimRef':{'namespace':'dev','name':'data'}},
                 'status':{'phase':'Bound'}}
                """)).containsExactly("pv1", "10Gi", "RWO,RWX", "Retain", "Bound", "dev/data", "local", "<unset>", "",
                "<unknown>", "<unset>");
        assertThat(cells("", "persistentvolumeclaims", """
                {'metadata':{'name':'data'},'spec':{'volumeName':'pv1','storageClassName':'local','volumeMode':'Filesystem'},
                 'status':{'phase':'Bound','accessModes':['ReadWriteOnce'],'capacity':{'storage':'10Gi'}}}
                """)).containsExactly("data", "Bound", "pv1", "10Gi", "RWO", "local", "<unset>", "<unknown>", "Filesystem");
        assertThat(cells("storage.k8s.io", "storageclasses", """
                {'metadata':{'name':'local','annotations':{'storageclass.kubernetes.io/is-default-class':'true'}},
                 'provisioner':'berth.dev/hostpath','volumeBindingMode':'WaitForFirstConsumer'}
                """)).containsExactly("local (default)", "berth.dev/hostpath", "Delete", "WaitForFirstConsumer", false,
                "<unknown>");
    }

    @Test
    void rbacObjectsShowCreationTimeAndRoleReference() {
        assertThat(cells("rbac.authorization.k8s.io", "clusterroles",
                "{'metadata':{'name':'view','creationTimestamp':'2024-05-01T10:11:12Z'}}"))
                .containsExactly("view", "2024-05-01T10:11:12Z");
        assertThat(cells("rbac.authorization.k8s.io", "rolebindings", """
                {'metadata':{'name':'rb'},'roleRef':{'kind':'ClusterRole','name':'view'},
                 'subjects':[{'kind':'User','name':'ann'},{'kind':'ServiceAccount','namespace':'dev','name':'ci'},{'kind':'User','name':'bob'}]}
                """)).containsExactly("rb", "ClusterRole/view", "<unknown>", "ann, bob", "", "dev/ci");
    }

    @Test
    void hpaShowsResourceTargetsForV2AndV1() {
        assertThat(cells("autoscaling", "horizontalpodautoscalers", """
                {'metadata':{'name':'web'},'spec':{'scaleTargetRef':{'kind':'Deployment','name':'web'},'minReplicas':1,'maxReplicas':5,
                 'metrics':[{'type':'Resource','resource':{'name':'cpu','target':{'type':'Utilization','averageUtilization':50}}},
                   {'type':'Resource','resource':{'name':'memory','target':{'type':'AverageValue','averageValue':'100Mi'}}}]},
                 'status':{'currentReplicas':2,'currentMetrics':[{'type':'Resource','resource':{'name':'cpu','current':{'averageUtilization':12,'averageValue':'6m'}}}]}}
                """)).containsExactly("web", "Deployment/web", "cpu: 12%/50%, memory: <unknown>/100Mi", "1", 5L, 2L,
                "<unknown>");
        assertThat(cells("autoscaling", "horizontalpodautoscalers", """
                {'metadata':{'name':'v1'},'spec':{'scaleTargetRef':{'kind':'Deployment','name':'web'},'maxReplicas':3,
                 'targetCPUUtilizationPercentage':70}}
                """)).startsWith("v1", "Deployment/web", "cpu: <unknown>/70%", "<unset>", 3L, 0L);
    }

    @Test
    void smallerPrintersFollowKubernetes() {
        assertThat(cells("policy", "poddisruptionbudgets",
                "{'metadata':{'name':'p'},'spec':{'minAvailable':'50%'},'status':{'disruptionsAllowed':1}}"))
                .containsExactly("p", "50%", "N/A", 1L, "<unknown>");
        assertThat(cells("coordination.k8s.io", "leases", "{'metadata':{'name':'n1'},'spec':{'holderIdentity':'n1'}}"))
                .containsExactly("n1", "n1", "<unknown>");
        assertThat(cells("scheduling.k8s.io", "priorityclasses",
                "{'metadata':{'name':'high'},'value':1000,'globalDefault':false,'preemptionPolicy':'Never'}"))
                .containsExactly("high", 1000L, false, "<unknown>", "Never");
        assertThat(cells("networking.k8s.io", "networkpolicies", "{'metadata':{'name':'deny'},'spec':{'podSelector':{}}}"))
                .containsExactly("deny", "<none>", "<unknown>");
        assertThat(cells("", "resourcequotas", """
                {'metadata':{'name':'q'},'status':{'hard':{'pods':'10','limits.cpu':'4','requests.cpu':'2'},
                 'used':{'pods':'3','requests.cpu':'500m'}}}
                """)).containsExactly("q", "pods: 3/10, requests.cpu: 500m/2", "limits.cpu: 0/4", "<unknown>");
        assertThat(cells("apps", "controllerrevisions", """
                {'metadata':{'name':'db-7f','ownerReferences':[{'apiVersion':'apps/v1','kind':'StatefulSet','name':'db','controller':true}]},
                 'revision':2}
                """)).containsExactly("db-7f", "statefulset.apps/db", 2L, "<unknown>");
        assertThat(cells("certificates.k8s.io", "certificatesigningrequests", """
                {'metadata':{'name':'csr-1'},'spec':{'signerName':'kubernetes.io/kube-apiserver-client','username':'ann',
                 'expirationSeconds':86400},'status':{'conditions':[{'type':'Approved','status':'True'}],'certificate':'LS0t'}}
                """)).containsExactly("csr-1", "<unknown>", "kubernetes.io/kube-apiserver-client", "ann", "24h",
                "Approved,Issued");
    }

    @Test
    void unknownResourcesAndCrdsGetTheDefaultTable() {
        assertThat(columnNames("example.com", "widgets")).containsExactly("Name", "Created At");
        assertThat(columnNames("apiextensions.k8s.io", "customresourcedefinitions")).containsExactly("Name", "Created At");
        assertThat(cells("example.com", "widgets", "{'metadata':{'name':'w','creationTimestamp':'2024-05-01T00:00:00Z'}}"))
                .containsExactly("w", "2024-05-01T00:00:00Z");
    }

    @Test
    void customResourceColumnsEvaluateJsonPathsByType() {
        TableConvertor c = TableConvertors.forCustomResource(json("""
                [{'name':'Replicas','type':'integer','jsonPath':'.spec.replicas'},
                 {'name':'Phase','type':'string','jsonPath':'.status.conditions[0].type','priority':1},
                 {'name':'App','type':'string','jsonPath':'.metadata.labels.app\\\\.kubernetes\\\\.io/name'},
                 {'name':'Ready','type':'boolean','jsonPath':'.status.ready'},
                 {'name':'Age','type':'date','jsonPath':'.metadata.creationTimestamp'}]
                """));
        assertThat(c.columns()).extracting(ColumnDefinition::name)
                .containsExactly("Name", "Replicas", "Phase", "App", "Ready", "Age");
        assertThat(c.columns().get(2).priority()).isEqualTo(1);
        assertThat(c.cells(json("""
                {'metadata':{'name':'w','creationTimestamp':'2024-05-01T11:58:00Z','labels':{'app.kubernetes.io/name':'shop'}},
                 'spec':{'replicas':2},'status':{'conditions':[{'type':'Synced'}]}}
                """), NOW)).containsExactly("w", 2L, "Synced", "shop", null, "2m");
    }

    @Test
    void jsonPathAcceptsBracketKeysAndBraces() {
        JsonNode object = json("{'metadata':{'labels':{'app.kubernetes.io/name':'shop'}},'items':[1,2]}");
        assertThat(SimpleJsonPath.parse(".metadata.labels[\"app.kubernetes.io/name\"]").find(object).asText())
                .isEqualTo("shop");
        assertThat(SimpleJsonPath.parse("{.items[1]}").find(object).asInt()).isEqualTo(2);
        assertThat(SimpleJsonPath.parse(".items[5]").find(object)).isNull();
    }

    @Test
    void customResourceWithoutColumnsShowsAge() {
        TableConvertor c = TableConvertors.forCustomResource(null);
        assertThat(c.columns()).extracting(ColumnDefinition::name).containsExactly("Name", "Age");
        assertThat(c.cells(json("{'metadata':{'name':'w','creationTimestamp':'2024-05-01T11:00:00Z'}}"), NOW))
                .containsExactly("w", "60m");
    }

    @Test
    void rejectsUnsupportedPrinterColumnPath() {
        assertThatThrownBy(() -> TableConvertors.forCustomResource(json("[{'name':'X','type':'string','jsonPath':'spec.x'}]")))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("additionalPrinterColumns[0].jsonPath")
                .extracting(e -> ((ApiException) e).code()).isEqualTo(400);
    }

    @Test
    void tableCarriesColumnsCellsAndPartialObjectMetadata() {
        JsonNode pod = json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'dev','resourceVersion':'7'},"
                + "'spec':{'containers':[{'name':'a'}]},'status':{'phase':'Pending'}}");
        ObjectNode table = Table.build(List.of(pod), TableConvertors.forResource("", "pods"),
                Table.IncludeObject.METADATA, json("{'resourceVersion':'9'}"), NOW);
        assertThat(table.path("kind").asText()).isEqualTo("Table");
        assertThat(table.path("apiVersion").asText()).isEqualTo("meta.k8s.io/v1");
        assertThat(table.path("metadata").path("resourceVersion").asText()).isEqualTo("9");
        assertThat(table.path("columnDefinitions").get(5).toString())
                .contains("\"name\":\"IP\"", "\"priority\":1", "\"format\":\"\"");
        JsonNode row = table.path("rows").get(0);
        assertThat(row.path("cells").toString()).isEqualTo(
                "[\"p\",\"0/1\",\"Pending\",\"0\",\"<unknown>\",\"<none>\",\"<none>\",\"<none>\",\"<none>\"]");
        assertThat(row.path("object").path("kind").asText()).isEqualTo("PartialObjectMetadata");
        assertThat(row.path("object").path("metadata").path("namespace").asText()).isEqualTo("dev");
        assertThat(row.path("object").has("spec")).isFalse();

        ObjectNode full = Table.build(List.of(pod), TableConvertors.forResource("", "pods"),
                Table.IncludeObject.parse("Object"), null, NOW);
        assertThat(full.path("rows").get(0).path("object").path("spec").isObject()).isTrue();
        ObjectNode none = Table.build(List.of(pod), TableConvertors.forResource("", "pods"),
                Table.IncludeObject.NONE, null, NOW);
        assertThat(none.path("rows").get(0).get("object").isNull()).isTrue();
    }

    @Test
    void finishedPodRowsCarryTheCompletedCondition() {
        JsonNode pod = json("{'metadata':{'name':'done'},'spec':{'containers':[]},'status':{'phase':'Succeeded'}}");
        ObjectNode table = Table.build(List.of(pod), TableConvertors.forResource("", "pods"),
                Table.IncludeObject.NONE, null, NOW);
        assertThat(table.at("/rows/0/conditions/0").toString()).isEqualTo("{\"type\":\"Completed\",\"status\":\"True\","
                + "\"reason\":\"Succeeded\",\"message\":\"The pod has completed successfully.\"}");
    }

    @Test
    void rejectsUnknownIncludeObject() {
        assertThatThrownBy(() -> Table.IncludeObject.parse("All")).isInstanceOf(ApiException.class)
                .hasMessageContaining("includeObject");
    }
}

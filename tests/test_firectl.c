/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/firectl.h"

#include "tests/check_main.h"

#include <stdio.h>
#include <string.h>

static world_cmd cmd;
static char err[512];
static int offset;

static void teardown(void)
{
    world_cmd_clear(&cmd);
}

/* Parse a line that must be accepted, in account my-account. */
static void accept(const char *line)
{
    world_cmd_clear(&cmd);
    ck_assert_msg(firectl_parse(line, "my-account", &cmd, err, sizeof err, &offset) == 0,
                  "%s\n -> %s", line, err);
}

/* The line is refused with exactly this message, blaming the word at byte `at` (-1: none),
 * and leaves nothing allocated in the command. */
static void refused(const char *line, int at, const char *message)
{
    world_cmd_clear(&cmd);
    err[0] = '\0';
    offset = -2;
    ck_assert_msg(firectl_parse(line, "my-account", &cmd, err, sizeof err, &offset) == -1, "%s",
                  line);
    ck_assert_str_eq(err, message);
    ck_assert_int_eq(offset, at);
    ck_assert_ptr_null(cmd.deployments);
    ck_assert_uint_eq(cmd.n_deployments, 0);
}

static void ck_deployments(size_t n, const char *const *ids)
{
    ck_assert_uint_eq(cmd.n_deployments, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(cmd.deployments[i], ids[i]);
}

/* The docs' migration example, every command as the page prints it (placeholders filled). */
START_TEST(docs_migration_lines)
{
    accept("firectl router create \\\n"
           "    --router-id=my-router \\\n"
           "    --deployments=current-deployment");
    ck_assert_int_eq(cmd.op, WORLD_ROUTER_CREATE);
    ck_assert_uint_eq(cmd.set, WORLD_SET_DEPLOYMENTS);
    ck_assert_str_eq(cmd.id, "my-router");
    ck_deployments(1, (const char *[]){"current-deployment"});

    accept("firectl deployment create accounts/my-account/models/llama-v3p1-8b \\\n"
           "    --deployment-id=new-deployment");
    ck_assert_int_eq(cmd.op, WORLD_DEPLOYMENT_CREATE);
    ck_assert_uint_eq(cmd.set, WORLD_SET_MODEL);
    ck_assert_str_eq(cmd.id, "new-deployment");
    ck_assert_str_eq(cmd.model, "accounts/my-account/models/llama-v3p1-8b");

    accept("firectl router update my-router \\\n"
           "    --deployments=current-deployment,new-deployment");
    ck_assert_int_eq(cmd.op, WORLD_ROUTER_UPDATE);
    ck_assert_uint_eq(cmd.set, WORLD_SET_DEPLOYMENTS);
    ck_assert_str_eq(cmd.id, "my-router");
    ck_deployments(2, (const char *[]){"current-deployment", "new-deployment"});

    const char *updates[][2] = {
        {"new-deployment", "4"}, {"current-deployment", "1"}, {"current-deployment", "0"}};
    for (size_t i = 0; i < 3; i++) {
        char line[256];
        snprintf(line, sizeof line,
                 "firectl deployment update %s \\\n"
                 "    --min-replica-count=%s \\\n"
                 "    --max-replica-count=%s",
                 updates[i][0], updates[i][1], updates[i][1]);
        accept(line);
        ck_assert_int_eq(cmd.op, WORLD_DEPLOYMENT_UPDATE);
        ck_assert_uint_eq(cmd.set, WORLD_SET_MIN | WORLD_SET_MAX);
        ck_assert_str_eq(cmd.id, updates[i][0]);
        ck_assert_int_eq(cmd.min_replicas, atoi(updates[i][1]));
        ck_assert_int_eq(cmd.max_replicas, atoi(updates[i][1]));
    }

    accept("firectl router update my-router --deployments=new-deployment");
    ck_assert_int_eq(cmd.op, WORLD_ROUTER_UPDATE);
    ck_assert_str_eq(cmd.id, "my-router");
    ck_deployments(1, (const char *[]){"new-deployment"});
}
END_TEST

START_TEST(docs_other_examples)
{
    accept("firectl router create \\\n"
           "    --router-id=ab-test \\\n"
           "    --deployments=model-a,model-b");
    ck_assert_str_eq(cmd.id, "ab-test");
    ck_deployments(2, (const char *[]){"model-a", "model-b"});

    /* Without --router-id the world picks a random id: the command leaves it empty. */
    accept("firectl router create \\\n    --deployments=d1,d2");
    ck_assert_str_eq(cmd.id, "");
    ck_deployments(2, (const char *[]){"d1", "d2"});

    accept("firectl router update my-router \\\n    --deployments=d1,d2,d3");
    ck_deployments(3, (const char *[]){"d1", "d2", "d3"});

    accept("firectl router delete my-router");
    ck_assert_int_eq(cmd.op, WORLD_ROUTER_DELETE);
    ck_assert_uint_eq(cmd.set, 0);
    ck_assert_str_eq(cmd.id, "my-router");

    /* The docs' placeholders left in place are refused with a hint. */
    refused("firectl router delete <ROUTER_ID>", 22,
            "expected a router id (lower-case letters, digits and hyphens, 1-63 characters, "
            "starting with a letter) or accounts/my-account/routers/<ID>, got \"<ROUTER_ID>\" "
            "(replace the <...> placeholder with a real id)");
}
END_TEST

/* The spec's scenario writes the same commands on one line each. */
START_TEST(one_line_forms)
{
    accept("firectl deployment create accounts/my-account/models/llama-v3p1-8b "
           "--deployment-id=new-deployment");
    ck_assert_str_eq(cmd.id, "new-deployment");
    accept("firectl deployment update new-deployment --min-replica-count=4 "
           "--max-replica-count=4");
    ck_assert_int_eq(cmd.min_replicas, 4);
    accept("firectl deployment scale new-deployment --replica-count 3");
    ck_assert_int_eq(cmd.op, WORLD_DEPLOYMENT_SCALE);
    ck_assert_uint_eq(cmd.set, WORLD_SET_REPLICAS);
    ck_assert_int_eq(cmd.replicas, 3);
    accept("firectl deployment delete current-deployment");
    ck_assert_int_eq(cmd.op, WORLD_DEPLOYMENT_DELETE);
    ck_assert_uint_eq(cmd.set, 0);
    ck_assert_str_eq(cmd.id, "current-deployment");
}
END_TEST

/* Every flag means the same in --flag=v and --flag v forms. */
START_TEST(both_flag_forms)
{
    const char *pairs[][2] = {
        {"firectl router create --router-id=r --deployments=a,b --display-name=N --model=m "
         "--strategy=even-load --public=true",
         "firectl router create --router-id r --deployments a,b --display-name N --model m "
         "--strategy even-load --public"},
        {"firectl deployment create m --deployment-id=d --region=EUROPE --min-replica-count=2 "
         "--max-replica-count=5",
         "firectl deployment create m --deployment-id d --region EUROPE --min-replica-count 2 "
         "--max-replica-count 5"},
        {"firectl deployment update d --min-replica-count=0",
         "firectl deployment update d --min-replica-count 0"},
        {"firectl deployment scale d --replica-count=7",
         "firectl deployment scale d --replica-count 7"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        accept(pairs[i][0]);
        world_cmd first = cmd; /* takes the deployments list with it */
        memset(&cmd, 0, sizeof cmd);
        accept(pairs[i][1]);
        ck_assert_int_eq(first.op, cmd.op);
        ck_assert_uint_eq(first.set, cmd.set);
        ck_assert_str_eq(first.id, cmd.id);
        ck_assert_str_eq(first.model, cmd.model);
        ck_assert_str_eq(first.display_name, cmd.display_name);
        ck_assert_str_eq(first.region, cmd.region);
        ck_assert_int_eq(first.strategy, cmd.strategy);
        ck_assert_int_eq(first.is_public, cmd.is_public);
        ck_assert_int_eq(first.min_replicas, cmd.min_replicas);
        ck_assert_int_eq(first.max_replicas, cmd.max_replicas);
        ck_assert_int_eq(first.replicas, cmd.replicas);
        ck_assert_uint_eq(first.n_deployments, cmd.n_deployments);
        world_cmd_clear(&first);
    }
}
END_TEST

START_TEST(router_flags)
{
    accept("firectl router create --router-id=r --deployments=a --display-name=Main "
           "--model=llama-v3p1-8b --strategy=even-load --public");
    ck_assert_uint_eq(cmd.set, WORLD_SET_DEPLOYMENTS | WORLD_SET_DISPLAY_NAME | WORLD_SET_MODEL |
                                   WORLD_SET_STRATEGY | WORLD_SET_PUBLIC);
    ck_assert_str_eq(cmd.display_name, "Main");
    ck_assert_str_eq(cmd.model, "accounts/my-account/models/llama-v3p1-8b");
    ck_assert_int_eq(cmd.strategy, SELECTOR_EVEN_LOAD);
    ck_assert_int_eq(cmd.is_public, 1);

    accept("firectl router update r --strategy=weighted-random --public=false");
    ck_assert_uint_eq(cmd.set, WORLD_SET_STRATEGY | WORLD_SET_PUBLIC);
    ck_assert_int_eq(cmd.strategy, SELECTOR_WEIGHTED_RANDOM);
    ck_assert_int_eq(cmd.is_public, 0);
    ck_assert_uint_eq(cmd.n_deployments, 0);

    accept("firectl router update r --public=no");
    ck_assert_uint_eq(cmd.set, WORLD_SET_PUBLIC);
    ck_assert_int_eq(cmd.is_public, 0);

    /* Flags and the positional id may come in any order. */
    accept("firectl router update --display-name=x r");
    ck_assert_str_eq(cmd.id, "r");
    ck_assert_uint_eq(cmd.set, WORLD_SET_DISPLAY_NAME);
}
END_TEST

START_TEST(deployment_commands)
{
    accept("firectl deployment create fw-model --deployment-id=d1 --region us-iowa-1 "
           "--min-replica-count=0 --max-replica-count=100000");
    ck_assert_int_eq(cmd.op, WORLD_DEPLOYMENT_CREATE);
    ck_assert_uint_eq(cmd.set, WORLD_SET_MODEL | WORLD_SET_REGION | WORLD_SET_MIN | WORLD_SET_MAX);
    ck_assert_str_eq(cmd.model, "accounts/my-account/models/fw-model");
    ck_assert_str_eq(cmd.region, "us-iowa-1");
    ck_assert_int_eq(cmd.min_replicas, 0);
    ck_assert_int_eq(cmd.max_replicas, WORLD_MAX_REPLICAS);

    const char *regions[] = {"US", "EUROPE", "APAC"};
    for (size_t i = 0; i < 3; i++) {
        char line[128];
        snprintf(line, sizeof line, "firectl deployment create m --deployment-id d --region %s",
                 regions[i]);
        accept(line);
        ck_assert_str_eq(cmd.region, regions[i]);
    }

    accept("firectl deployment create --deployment-id=d accounts/fireworks/models/qwen2.5-7b");
    ck_assert_uint_eq(cmd.set, WORLD_SET_MODEL);
    ck_assert_str_eq(cmd.model, "accounts/fireworks/models/qwen2.5-7b");

    accept("firectl deployment update d --max-replica-count=3");
    ck_assert_uint_eq(cmd.set, WORLD_SET_MAX);
    ck_assert_int_eq(cmd.max_replicas, 3);
}
END_TEST

START_TEST(full_names)
{
    accept("firectl router update accounts/my-account/routers/my-router "
           "--deployments=accounts/my-account/deployments/a,b");
    ck_assert_str_eq(cmd.id, "my-router");
    ck_deployments(2, (const char *[]){"a", "b"});
    accept("firectl router delete accounts/my-account/routers/r");
    ck_assert_str_eq(cmd.id, "r");
    accept("firectl deployment scale accounts/my-account/deployments/d --replica-count=0");
    ck_assert_str_eq(cmd.id, "d");
    ck_assert_int_eq(cmd.replicas, 0);
    accept("firectl deployment create m --deployment-id=accounts/my-account/deployments/d");
    ck_assert_str_eq(cmd.id, "d");
    accept("firectl router create --router-id=accounts/my-account/routers/r --deployments=a");
    ck_assert_str_eq(cmd.id, "r");

    refused("firectl router delete accounts/other/routers/r", 22,
            "expected a router in account \"my-account\", got \"accounts/other/routers/r\" "
            "(account \"other\")");
    refused("firectl router update r --deployments=a,accounts/other/deployments/b", 24,
            "--deployments: expected a deployment in account \"my-account\", got "
            "\"accounts/other/deployments/b\" (account \"other\")");
    refused("firectl deployment delete accounts/my-account/routers/r", 26,
            "expected a deployment id (lower-case letters, digits and hyphens, 1-63 characters, "
            "starting with a letter) or accounts/my-account/deployments/<ID>, got "
            "\"accounts/my-account/routers/r\"");
}
END_TEST

START_TEST(quoted_arguments)
{
    accept("firectl router update r --display-name \"My \\\"big\\\" router\"");
    ck_assert_str_eq(cmd.display_name, "My \"big\" router");
    accept("firectl router update r --display-name='It is \"fine\"'");
    ck_assert_str_eq(cmd.display_name, "It is \"fine\"");
    accept("firectl router update r \"--display-name=a  b\"");
    ck_assert_str_eq(cmd.display_name, "a  b");
    accept("firectl router update r --display-name=\"\"");
    ck_assert_uint_eq(cmd.set, WORLD_SET_DISPLAY_NAME);
    ck_assert_str_eq(cmd.display_name, "");
    accept("firectl router update 'r' --display-name=\"back\\\\slash $HOME\"");
    ck_assert_str_eq(cmd.id, "r");
    ck_assert_str_eq(cmd.display_name, "back\\slash $HOME");
    accept("firectl router update r --display-name='single \\ kept'");
    ck_assert_str_eq(cmd.display_name, "single \\ kept");
    accept("firectl router update r --display-name=caf\xc3\xa9");
    ck_assert_str_eq(cmd.display_name, "caf\xc3\xa9");

    refused("firectl router update r --display-name 'open", 39, "expected a closing ' quote");
    refused("firectl router update r --display-name=\"open", 39, "expected a closing \" quote");
}
END_TEST

START_TEST(continuation_lines)
{
    /* Literal block scalar: backslash-newline, also with CR LF. */
    accept("firectl router create \\\r\n  --router-id=r \\\n  --deployments=a\n");
    ck_assert_str_eq(cmd.id, "r");
    /* Plain or folded scalar: YAML folded the newline, leaving a lone backslash. */
    accept("firectl router create \\ --router-id=r \\ --deployments=a \\");
    ck_assert_str_eq(cmd.id, "r");
    ck_deployments(1, (const char *[]){"a"});
    /* A continuation inside a word or inside double quotes joins the halves. */
    accept("firectl router update r --display-name=\"two \\\nhalves\" --deployments=a,\\\nb");
    ck_assert_str_eq(cmd.display_name, "two halves");
    ck_deployments(2, (const char *[]){"a", "b"});
    /* Blank lines and tabs between words are blanks. */
    accept("\n\tfirectl\trouter delete\n\n r\n");
    ck_assert_str_eq(cmd.id, "r");
}
END_TEST

START_TEST(refuse_not_firectl)
{
    refused("", -1, "expected a firectl command, got an empty line");
    refused("  \\\n ", -1, "expected a firectl command, got an empty line");
    refused("kubectl get pods", 0, "expected a line starting with firectl, got \"kubectl\"");
    refused("  /usr/bin/firectl router delete r", 2,
            "expected a line starting with firectl, got \"/usr/bin/firectl\"");
    refused("firectl", -1, "expected router or deployment after firectl");
    refused("firectl model create x", 8,
            "expected router or deployment after firectl, got \"model\"");
    refused("firectl routers list", 8,
            "expected router or deployment after firectl, got \"routers\"");
}
END_TEST

START_TEST(refuse_verbs)
{
    refused("firectl router", -1, "expected create, update or delete after firectl router");
    refused("firectl deployment", -1,
            "expected create, update, scale or delete after firectl deployment");
    refused("firectl router get my-router", 15,
            "firectl router get changes nothing; a timeline line must change the world "
            "(expected create, update or delete)");
    refused("firectl router get accounts/my-account/routers/my-router", 15,
            "firectl router get changes nothing; a timeline line must change the world "
            "(expected create, update or delete)");
    refused("firectl router list", 15,
            "firectl router list changes nothing; a timeline line must change the world "
            "(expected create, update or delete)");
    refused("firectl deployment get d", 19,
            "firectl deployment get changes nothing; a timeline line must change the world "
            "(expected create, update, scale or delete)");
    refused("firectl router scale r --replica-count=1", 15,
            "expected create, update or delete after firectl router, got \"scale\"");
    refused("firectl deployment frobnicate x", 19,
            "expected create, update, scale or delete after firectl deployment, got "
            "\"frobnicate\"");
}
END_TEST

START_TEST(refuse_flags)
{
    refused("firectl router create --deployments=a --dry-run", 38,
            "--dry-run changes nothing; a timeline line must change the world (expected the "
            "command without it)");
    refused("firectl deployment scale d --replica-count=1 --dry-run=true", 45,
            "--dry-run changes nothing; a timeline line must change the world (expected the "
            "command without it)");
    refused("firectl router create --deployments=a --foo=1", 38,
            "expected a flag of firectl router create (--router-id, --deployments, "
            "--display-name, --model, --strategy or --public), got \"--foo=1\"");
    refused("firectl router update r --router-id=x", 24,
            "expected a flag of firectl router update (--deployments, --display-name, --model, "
            "--strategy or --public), got \"--router-id=x\"");
    refused("firectl router create --deployments=a -o json", 38,
            "expected a flag of firectl router create (--router-id, --deployments, "
            "--display-name, --model, --strategy or --public), got \"-o\"");
    refused("firectl router update r --session-affinity", 24,
            "expected a flag of firectl router update (--deployments, --display-name, --model, "
            "--strategy or --public), got \"--session-affinity\"");
    refused("firectl deployment update d --replica-count=1", 28,
            "expected a flag of firectl deployment update (--min-replica-count, "
            "--max-replica-count, --scale-up-window, --scale-down-window, --scale-to-zero-window "
            "or --load-targets), got \"--replica-count=1\"");
    refused("firectl deployment create m --deployment-id=d --replicas=2", 46,
            "expected a flag of firectl deployment create (--deployment-id, --region, "
            "--min-replica-count, --max-replica-count, --scale-up-window, --scale-down-window, "
            "--scale-to-zero-window or --load-targets), got \"--replicas=2\"");
    refused("firectl router delete r --public", 24,
            "expected no flags after firectl router delete, got \"--public\"");
    refused("firectl router create --deployments=a --deployments=b", 38,
            "expected --deployments once, got it twice (first at byte 22)");
    refused("firectl router create --deployments=a --public --public=false", 47,
            "expected --public once, got it twice (first at byte 38)");
}
END_TEST

START_TEST(refuse_missing_values)
{
    refused("firectl router create --deployments", 22, "expected a value after --deployments");
    refused("firectl router create --deployments --public", 22,
            "expected a value after --deployments, got the flag \"--public\"");
    refused("firectl router create --deployments=", 22,
            "expected a value after --deployments, got nothing");
    refused("firectl router create --deployments ''", 22,
            "expected a value after --deployments, got nothing");
    refused("firectl deployment scale d --replica-count", 27,
            "expected a value after --replica-count");
    refused("firectl deployment create m --deployment-id", 28,
            "expected a value after --deployment-id");
    refused("firectl router create --deployments=a --public=", 38,
            "expected a value after --public, got nothing");
}
END_TEST

START_TEST(refuse_arguments)
{
    refused("firectl router create --deployments=a stray", 38,
            "expected only flags after firectl router create, got \"stray\"");
    refused("firectl router create --deployments=a --public false", 47,
            "expected only flags after firectl router create, got \"false\" (--public takes no "
            "separate value: write --public=false)");
    refused("firectl router delete a b", 24,
            "expected one argument, a router id or full name, after firectl router delete, got "
            "another: \"b\"");
    refused("firectl deployment create m n --deployment-id=d", 28,
            "expected one argument, a model such as accounts/fireworks/models/llama-v3p1-8b, "
            "after firectl deployment create, got another: \"n\"");
    refused("firectl router update", -1,
            "expected a router id or full name after firectl router update");
    refused("firectl deployment delete", -1,
            "expected a deployment id or full name after firectl deployment delete");
    refused("firectl deployment create --deployment-id=d", -1,
            "expected a model such as accounts/fireworks/models/llama-v3p1-8b after firectl "
            "deployment create");
    refused("firectl router create --router-id=r", -1,
            "expected --deployments on firectl router create");
    refused("firectl deployment create m", -1,
            "expected --deployment-id on firectl deployment create");
    refused("firectl deployment scale d", -1,
            "expected --replica-count on firectl deployment scale");
    refused("firectl router update r", -1,
            "expected --deployments, --display-name, --model, --strategy or --public on firectl "
            "router update: without them it changes nothing");
    refused("firectl deployment update d", -1,
            "expected --min-replica-count, --max-replica-count, --scale-up-window, "
            "--scale-down-window, --scale-to-zero-window or --load-targets on firectl deployment "
            "update: without them it changes nothing");
}
END_TEST

START_TEST(refuse_values)
{
    refused("firectl router create --router-id=My_Router --deployments=a", 22,
            "--router-id: expected a router id (lower-case letters, digits and hyphens, 1-63 "
            "characters, starting with a letter) or accounts/my-account/routers/<ID>, got "
            "\"My_Router\"");
    refused("firectl router update 9r --public", 22,
            "expected a router id (lower-case letters, digits and hyphens, 1-63 characters, "
            "starting with a letter) or accounts/my-account/routers/<ID>, got \"9r\"");
    refused("firectl deployment scale d --replica-count -1", 43,
            "--replica-count: expected a whole number from 0 to 100000, got \"-1\"");
    refused("firectl deployment scale d --replica-count=100001", 27,
            "--replica-count: expected a whole number from 0 to 100000, got \"100001\"");
    refused("firectl deployment update d --min-replica-count=1.5", 28,
            "--min-replica-count: expected a whole number from 0 to 100000, got \"1.5\"");
    refused("firectl router update r --strategy=round-robin", 24,
            "--strategy: expected weighted-random or even-load, got \"round-robin\"");
    refused("firectl router update r --public=maybe", 24,
            "--public: expected true or false, got \"maybe\"");
    refused("firectl router update r --model=Llama", 24,
            "--model: expected a model id (lower-case letters, digits, hyphens, dots and "
            "underscores, 1-63 characters) or accounts/<ACCOUNT>/models/<ID>, got \"Llama\"");
    refused("firectl deployment create m --deployment-id=d --region \"US EAST\"", 55,
            "--region: expected a region like US, EUROPE, APAC or us-iowa-1 (letters, digits and "
            "hyphens, at most 31 characters), got \"US EAST\"");
    refused("firectl deployment create m --deployment-id=d "
            "--region=abcdefghijklmnopqrstuvwxyz012345",
            46,
            "--region: expected a region like US, EUROPE, APAC or us-iowa-1 (letters, digits and "
            "hyphens, at most 31 characters), got \"abcdefghijklmnopqrstuvwxyz012345\"");
    refused("firectl router update r --display-name=\"a\nb\"", 24,
            "--display-name: expected text without control characters");
}
END_TEST

START_TEST(refuse_deployment_lists)
{
    const char *lists[][2] = {{"a,,b", "a,,b"}, {",a", ",a"}, {"a,", "a,"}, {",", ","}};
    for (size_t i = 0; i < 4; i++) {
        char line[128], message[256];
        snprintf(line, sizeof line, "firectl router update r --deployments=%s", lists[i][0]);
        snprintf(message, sizeof message,
                 "--deployments: expected deployment ids separated by single commas, got an empty "
                 "item in \"%s\"",
                 lists[i][1]);
        refused(line, 24, message);
    }
    /* An error after some deployments were added leaves nothing behind. */
    refused("firectl router update r --deployments=a,b,C", 24,
            "--deployments: expected a deployment id (lower-case letters, digits and hyphens, "
            "1-63 characters, starting with a letter) or accounts/my-account/deployments/<ID>, "
            "got \"C\"");
    refused("firectl router update r --deployments=a,b --bogus", 42,
            "expected a flag of firectl router update (--deployments, --display-name, --model, "
            "--strategy or --public), got \"--bogus\"");
}
END_TEST

START_TEST(refuse_long_input)
{
    char line[4096] = "firectl router update r --display-name=";
    size_t used = strlen(line);
    memset(line + used, 'x', UNITS_NAME_MAX);
    line[used + UNITS_NAME_MAX] = '\0';
    refused(line, 24, "--display-name: expected at most 255 bytes, got 256");
    line[used + UNITS_NAME_MAX - 1] = '\0';
    accept(line);
    ck_assert_uint_eq(strlen(cmd.display_name), UNITS_NAME_MAX - 1);

    char words[1024] = "firectl router delete";
    for (int i = 0; i < 70; i++)
        strcat(words, " r");
    refused(words, 144, "expected at most 64 words on a firectl line");

    char item[512];
    memset(item, 'a', sizeof item - 1);
    item[sizeof item - 1] = '\0';
    char list[700];
    snprintf(list, sizeof list, "firectl router update r --deployments=b,%s", item);
    world_cmd_clear(&cmd);
    ck_assert_int_eq(firectl_parse(list, "my-account", &cmd, err, sizeof err, &offset), -1);
    ck_assert_int_eq(offset, 24);
    ck_assert_ptr_nonnull(strstr(err, "got \"aaaa"));
    ck_assert_ptr_nonnull(strstr(err, "...\""));
}
END_TEST

/* The command's autoscaling settings equal `want`, field by field, exactly. */
static void ck_autoscaling(const world_autoscaling *want)
{
    ck_assert_double_eq(cmd.autoscaling.scale_up_window_s, want->scale_up_window_s);
    ck_assert_double_eq(cmd.autoscaling.scale_down_window_s, want->scale_down_window_s);
    ck_assert_double_eq(cmd.autoscaling.scale_to_zero_window_s, want->scale_to_zero_window_s);
    ck_assert_double_eq(cmd.autoscaling.load_fraction, want->load_fraction);
    ck_assert_double_eq(cmd.autoscaling.load_requests_per_second, want->load_requests_per_second);
    ck_assert_double_eq(cmd.autoscaling.load_concurrent_requests, want->load_concurrent_requests);
    ck_assert_double_eq(cmd.autoscaling.load_tokens_generated_per_second,
                        want->load_tokens_generated_per_second);
    ck_assert_double_eq(cmd.autoscaling.load_prompt_tokens_per_second,
                        want->load_prompt_tokens_per_second);
}

#define AUTOSCALING_BITS                                                                           \
    (WORLD_SET_SCALE_UP_WINDOW | WORLD_SET_SCALE_DOWN_WINDOW | WORLD_SET_SCALE_TO_ZERO_WINDOW |    \
     WORLD_SET_LOAD_TARGETS)

/* The docs' deployment lines name no autoscaling flag, so they set none of its fields. */
START_TEST(docs_lines_leave_autoscaling_unset)
{
    const char *lines[] = {
        "firectl deployment create accounts/my-account/models/llama-v3p1-8b \\\n"
        "    --deployment-id=new-deployment",
        "firectl deployment update new-deployment \\\n"
        "    --min-replica-count=4 \\\n"
        "    --max-replica-count=4",
        "firectl deployment update current-deployment --min-replica-count=0 "
        "--max-replica-count=0",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        accept(lines[i]);
        ck_assert_uint_eq(cmd.set & AUTOSCALING_BITS, 0);
        ck_autoscaling(&(world_autoscaling){0});
    }
}
END_TEST

/* Each autoscaling flag, in --flag=v and --flag v forms, on create and on update, sets its
 * own bit and field to the exact value and nothing else. */
START_TEST(autoscaling_flag_forms)
{
    static const struct {
        const char *flag, *value;
        unsigned bit;
        world_autoscaling want;
    } cases[] = {
        {"--scale-up-window", "45s", WORLD_SET_SCALE_UP_WINDOW, {.scale_up_window_s = 45}},
        {"--scale-up-window", "1.5s", WORLD_SET_SCALE_UP_WINDOW, {.scale_up_window_s = 1.5}},
        {"--scale-up-window", "2", WORLD_SET_SCALE_UP_WINDOW, {.scale_up_window_s = 2}},
        {"--scale-down-window", "15m", WORLD_SET_SCALE_DOWN_WINDOW, {.scale_down_window_s = 900}},
        {"--scale-down-window", "1.5h", WORLD_SET_SCALE_DOWN_WINDOW, {.scale_down_window_s = 5400}},
        {"--scale-to-zero-window",
         "5m",
         WORLD_SET_SCALE_TO_ZERO_WINDOW,
         {.scale_to_zero_window_s = 300}},
        {"--scale-to-zero-window",
         "300",
         WORLD_SET_SCALE_TO_ZERO_WINDOW,
         {.scale_to_zero_window_s = 300}},
        {"--scale-to-zero-window",
         "2h",
         WORLD_SET_SCALE_TO_ZERO_WINDOW,
         {.scale_to_zero_window_s = 7200}},
        {"--scale-to-zero-window",
         "1d",
         WORLD_SET_SCALE_TO_ZERO_WINDOW,
         {.scale_to_zero_window_s = 86400}},
        {"--load-targets", "default=0.5", WORLD_SET_LOAD_TARGETS, {.load_fraction = 0.5}},
        {"--load-targets",
         "requests_per_second=20",
         WORLD_SET_LOAD_TARGETS,
         {.load_fraction = 0.8, .load_requests_per_second = 20}},
        {"--load-targets",
         "concurrent_requests=3",
         WORLD_SET_LOAD_TARGETS,
         {.load_fraction = 0.8, .load_concurrent_requests = 3}},
        /* The platform's token targets, per replica: each lands in its own field. */
        {"--load-targets",
         "tokens_generated_per_second=1500",
         WORLD_SET_LOAD_TARGETS,
         {.load_fraction = 0.8, .load_tokens_generated_per_second = 1500}},
        {"--load-targets",
         "default=0.6,prompt_tokens_per_second=20000,tokens_generated_per_second=900",
         WORLD_SET_LOAD_TARGETS,
         {.load_fraction = 0.6,
          .load_tokens_generated_per_second = 900,
          .load_prompt_tokens_per_second = 20000}},
    };
    const char *forms[] = {"%s %s=%s", "%s %s %s"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        for (size_t f = 0; f < 2; f++) {
            char line[256];
            snprintf(line, sizeof line, forms[f], "firectl deployment update d", cases[i].flag,
                     cases[i].value);
            accept(line);
            ck_assert_int_eq(cmd.op, WORLD_DEPLOYMENT_UPDATE);
            ck_assert_str_eq(cmd.id, "d");
            ck_assert_uint_eq(cmd.set, cases[i].bit);
            ck_autoscaling(&cases[i].want);

            snprintf(line, sizeof line, forms[f], "firectl deployment create m --deployment-id=d",
                     cases[i].flag, cases[i].value);
            accept(line);
            ck_assert_int_eq(cmd.op, WORLD_DEPLOYMENT_CREATE);
            ck_assert_uint_eq(cmd.set, WORLD_SET_MODEL | cases[i].bit);
            ck_autoscaling(&cases[i].want);
        }
}
END_TEST

/* A list replaces all three targets: what it names, in any order; 0 (unset) for the other
 * two, and the platform's default=0.8 when it does not name default. */
START_TEST(load_target_lists)
{
    static const struct {
        const char *list;
        world_autoscaling want;
    } cases[] = {
        {"default=0.8", {.load_fraction = 0.8}},
        {"default=1", {.load_fraction = 1}},
        {"default=0.05", {.load_fraction = 0.05}},
        {"requests_per_second=12.5", {.load_fraction = 0.8, .load_requests_per_second = 12.5}},
        {"concurrent_requests=0.5", {.load_fraction = 0.8, .load_concurrent_requests = 0.5}},
        {"requests_per_second=1000000000", {.load_fraction = 0.8, .load_requests_per_second = 1e9}},
        {"requests_per_second=3,concurrent_requests=2",
         {.load_fraction = 0.8, .load_requests_per_second = 3, .load_concurrent_requests = 2}},
        {"default=0.6,requests_per_second=3,concurrent_requests=2",
         {.load_fraction = 0.6, .load_requests_per_second = 3, .load_concurrent_requests = 2}},
        {"concurrent_requests=2,default=0.25",
         {.load_fraction = 0.25, .load_concurrent_requests = 2}},
        {"requests_per_second=7,default=0.9",
         {.load_fraction = 0.9, .load_requests_per_second = 7}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char line[256];
        snprintf(line, sizeof line, "firectl deployment update d --load-targets=%s", cases[i].list);
        accept(line);
        ck_assert_uint_eq(cmd.set, WORLD_SET_LOAD_TARGETS);
        ck_autoscaling(&cases[i].want);
    }

    /* A quoted list is one word like any other. */
    accept("firectl deployment update d --load-targets 'default=0.5,requests_per_second=2'");
    ck_autoscaling(&(world_autoscaling){.load_fraction = 0.5, .load_requests_per_second = 2});

    /* Every flag on one create, both forms mixed, continuation lines as the docs print. */
    accept("firectl deployment create m --deployment-id=d --min-replica-count=0 \\\n"
           "    --max-replica-count=8 --scale-up-window=1m --scale-down-window 20m \\\n"
           "    --scale-to-zero-window=30m --load-targets default=0.7,concurrent_requests=6");
    ck_assert_uint_eq(cmd.set, WORLD_SET_MODEL | WORLD_SET_MIN | WORLD_SET_MAX | AUTOSCALING_BITS);
    ck_assert_int_eq(cmd.min_replicas, 0);
    ck_assert_int_eq(cmd.max_replicas, 8);
    ck_autoscaling(&(world_autoscaling){60, 1200, 1800, 0.7, 0, 6, 0, 0});
}
END_TEST

/* deployment update needs no replica flag: autoscaling flags alone change the deployment. */
START_TEST(update_with_autoscaling_only)
{
    accept("firectl deployment update d --scale-down-window=5m "
           "--load-targets=requests_per_second=40");
    ck_assert_uint_eq(cmd.set, WORLD_SET_SCALE_DOWN_WINDOW | WORLD_SET_LOAD_TARGETS);
    ck_autoscaling(&(world_autoscaling){
        .scale_down_window_s = 300, .load_fraction = 0.8, .load_requests_per_second = 40});

    accept("firectl deployment update --scale-up-window=10s accounts/my-account/deployments/d");
    ck_assert_str_eq(cmd.id, "d");
    ck_assert_uint_eq(cmd.set, WORLD_SET_SCALE_UP_WINDOW);
    ck_autoscaling(&(world_autoscaling){.scale_up_window_s = 10});

    accept("firectl deployment update d --max-replica-count=4 --scale-to-zero-window=10m");
    ck_assert_uint_eq(cmd.set, WORLD_SET_MAX | WORLD_SET_SCALE_TO_ZERO_WINDOW);
    ck_assert_int_eq(cmd.max_replicas, 4);
    ck_autoscaling(&(world_autoscaling){.scale_to_zero_window_s = 600});

    /* Still refused: an update that changes nothing. */
    refused("firectl deployment update d", -1,
            "expected --min-replica-count, --max-replica-count, --scale-up-window, "
            "--scale-down-window, --scale-to-zero-window or --load-targets on firectl deployment "
            "update: without them it changes nothing");
}
END_TEST

START_TEST(refuse_autoscaling_windows)
{
    refused("firectl deployment update d --scale-up-window=0", 28,
            "--scale-up-window: expected a duration greater than 0, got \"0\"");
    refused("firectl deployment update d --scale-down-window 0ms", 48,
            "--scale-down-window: expected a duration greater than 0, got \"0ms\"");
    refused("firectl deployment create m --deployment-id=d --scale-up-window=0s", 46,
            "--scale-up-window: expected a duration greater than 0, got \"0s\"");
    refused("firectl deployment update d --scale-up-window=soon", 28,
            "--scale-up-window: expected a duration like 90s, 10m, 1.5h or 250ms, got \"soon\"");
    refused("firectl deployment update d --scale-up-window=-5s", 28,
            "--scale-up-window: expected a duration like 90s, 10m, 1.5h or 250ms, got \"-5s\"");
    refused("firectl deployment update d --scale-down-window=367d", 28,
            "--scale-down-window: expected a duration of at most one year (366d), got \"367d\"");
    refused("firectl deployment update d --scale-to-zero-window=4m", 28,
            "--scale-to-zero-window: expected a duration of at least 5m (the platform's "
            "minimum), got \"4m\"");
    refused("firectl deployment update d --scale-to-zero-window 299.999s", 51,
            "--scale-to-zero-window: expected a duration of at least 5m (the platform's "
            "minimum), got \"299.999s\"");
    refused("firectl deployment create m --deployment-id=d --scale-to-zero-window=0", 46,
            "--scale-to-zero-window: expected a duration of at least 5m (the platform's "
            "minimum), got \"0\"");
    refused("firectl deployment update d --scale-up-window", 28,
            "expected a value after --scale-up-window");
    refused("firectl deployment update d --scale-up-window=", 28,
            "expected a value after --scale-up-window, got nothing");
    refused("firectl deployment update d --scale-up-window=1m --scale-up-window=2m", 49,
            "expected --scale-up-window once, got it twice (first at byte 28)");
    refused("firectl deployment scale d --replica-count=1 --scale-up-window=1m", 45,
            "expected a flag of firectl deployment scale (--replica-count), got "
            "\"--scale-up-window=1m\"");
    refused("firectl router update r --load-targets=default=0.5", 24,
            "expected a flag of firectl router update (--deployments, --display-name, --model, "
            "--strategy or --public), got \"--load-targets=default=0.5\"");
}
END_TEST

/* Every refusal names the offending item and points at its byte in the line. */
START_TEST(refuse_load_targets)
{
    static const char generated[] = "--load-targets: expected tokens_generated_per_second=N with "
                                    "0 < N <= 1e+09 (output tokens per second per replica), got ";
    static const char prompt[] = "--load-targets: expected prompt_tokens_per_second=N with 0 < N "
                                 "<= 1e+09 (prompt tokens per second per replica), got ";
    static const char fraction[] = "--load-targets: expected default=F with 0 < F <= 1 (a "
                                   "fraction of each replica's concurrency), got ";
    static const char per_second[] = "--load-targets: expected requests_per_second=N with 0 < N "
                                     "<= 1e+09 (requests per second per replica), got ";
    static const char concurrent[] = "--load-targets: expected concurrent_requests=N with 0 < N "
                                     "<= 1e+09 (concurrent requests per replica), got ";
    static const char key[] = "--load-targets: expected the key default, requests_per_second, "
                              "concurrent_requests, tokens_generated_per_second or "
                              "prompt_tokens_per_second, got ";
    static const char malformed[] = "--load-targets: expected an item key=value, got ";
    static const char empty[] = "--load-targets: expected key=value items separated by single "
                                "commas, got an empty item in ";
    static const struct {
        const char *list;
        int at; /* the value starts at byte 43 */
        const char *message, *detail;
    } cases[] = {
        {"default=0.5,tokens_generated_per_second=0", 55, generated,
         "\"tokens_generated_per_second=0\""},
        {"prompt_tokens_per_second=many", 43, prompt, "\"prompt_tokens_per_second=many\""},
        {"tokens_generated_per_second=1,tokens_generated_per_second=2", 73,
         "--load-targets: expected tokens_generated_per_second once, got it twice (first at "
         "byte 43)",
         ""},
        {"default=0.5,latency=2", 55, key, "\"latency\""},
        {"Default=0.5", 43, key, "\"Default\""},
        {"default=0.5,requests_per_second=3,default=0.6", 77,
         "--load-targets: expected default once, got it twice (first at byte 43)", ""},
        {"default", 43, malformed, "\"default\""},
        {"=0.5", 43, malformed, "\"=0.5\""},
        {"default=", 43, malformed, "\"default=\""},
        {"requests_per_second=3,concurrent_requests", 65, malformed, "\"concurrent_requests\""},
        {"default=0.5,,requests_per_second=3", 55, empty, "\"default=0.5,,requests_per_second=3\""},
        {"default=0.5,", 55, empty, "\"default=0.5,\""},
        {",default=0.5", 43, empty, "\",default=0.5\""},
        {"default=0", 43, fraction, "\"default=0\""},
        {"default=1.01", 43, fraction, "\"default=1.01\""},
        {"default=-0.5", 43, fraction, "\"default=-0.5\""},
        {"default=half", 43, fraction, "\"default=half\""},
        {"default=nan", 43, fraction, "\"default=nan\""},
        {"default=0.5x", 43, fraction, "\"default=0.5x\""},
        {"requests_per_second=0", 43, per_second, "\"requests_per_second=0\""},
        {"requests_per_second=1000000001", 43, per_second, "\"requests_per_second=1000000001\""},
        {"default=0.5,concurrent_requests=-1", 55, concurrent, "\"concurrent_requests=-1\""},
        {"concurrent_requests=0", 43, concurrent, "\"concurrent_requests=0\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char line[256], message[512];
        snprintf(line, sizeof line, "firectl deployment update d --load-targets=%s", cases[i].list);
        snprintf(message, sizeof message, "%s%s", cases[i].message, cases[i].detail);
        refused(line, cases[i].at, message);
    }

    /* In the --flag v form the item's offset counts from the value word (at 61). */
    refused("firectl deployment create m --deployment-id=d --load-targets default=0.5,foo=1", 73,
            "--load-targets: expected the key default, requests_per_second, "
            "concurrent_requests, tokens_generated_per_second or prompt_tokens_per_second, got "
            "\"foo\"");
    /* A quote before the item hides its byte: the value's own word is blamed instead. */
    refused("firectl deployment update d --load-targets 'default=0.5,foo=1'", 43,
            "--load-targets: expected the key default, requests_per_second, "
            "concurrent_requests, tokens_generated_per_second or prompt_tokens_per_second, got "
            "\"foo\"");
    refused("firectl deployment update d --load-targets=default=0.5,'foo=1'", 28,
            "--load-targets: expected the key default, requests_per_second, "
            "concurrent_requests, tokens_generated_per_second or prompt_tokens_per_second, got "
            "\"foo\"");
    refused("firectl deployment update d --load-targets=\"default=0.5\",foo=1", 28,
            "--load-targets: expected the key default, requests_per_second, "
            "concurrent_requests, tokens_generated_per_second or prompt_tokens_per_second, got "
            "\"foo\"");
    /* A quote after the item's first byte still leaves it exact. */
    refused("firectl deployment update d --load-targets=default=0.5,f'oo=1'", 55,
            "--load-targets: expected the key default, requests_per_second, "
            "concurrent_requests, tokens_generated_per_second or prompt_tokens_per_second, got "
            "\"foo\"");

    char line[512] = "firectl deployment update d --load-targets=default=0.5,";
    size_t used = strlen(line);
    memset(line + used, 'x', 200);
    line[used + 200] = '\0';
    refused(line, 55, "--load-targets: expected an item of at most 127 bytes, got 200");

    refused("firectl deployment update d --load-targets=", 28,
            "expected a value after --load-targets, got nothing");
    refused("firectl deployment update d --load-targets", 28,
            "expected a value after --load-targets");
    refused("firectl deployment update d --load-targets=default=0.5 --load-targets=default=0.6", 55,
            "expected --load-targets once, got it twice (first at byte 28)");
}
END_TEST

/* One test per case, so that every case is its own CTest entry. */
static void add(Suite *s, TCase *tc, const TTest *test)
{
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, test);
    suite_add_tcase(s, tc);
}

static Suite *suite(void)
{
    Suite *s = suite_create("firectl");
    add(s, tcase_create("docs_migration_lines"), docs_migration_lines);
    add(s, tcase_create("docs_other_examples"), docs_other_examples);
    add(s, tcase_create("one_line_forms"), one_line_forms);
    add(s, tcase_create("both_flag_forms"), both_flag_forms);
    add(s, tcase_create("router_flags"), router_flags);
    add(s, tcase_create("deployment_commands"), deployment_commands);
    add(s, tcase_create("full_names"), full_names);
    add(s, tcase_create("quoted_arguments"), quoted_arguments);
    add(s, tcase_create("continuation_lines"), continuation_lines);
    add(s, tcase_create("refuse_not_firectl"), refuse_not_firectl);
    add(s, tcase_create("refuse_verbs"), refuse_verbs);
    add(s, tcase_create("refuse_flags"), refuse_flags);
    add(s, tcase_create("refuse_missing_values"), refuse_missing_values);
    add(s, tcase_create("refuse_arguments"), refuse_arguments);
    add(s, tcase_create("refuse_values"), refuse_values);
    add(s, tcase_create("refuse_deployment_lists"), refuse_deployment_lists);
    add(s, tcase_create("refuse_long_input"), refuse_long_input);
    add(s, tcase_create("docs_lines_leave_autoscaling_unset"), docs_lines_leave_autoscaling_unset);
    add(s, tcase_create("autoscaling_flag_forms"), autoscaling_flag_forms);
    add(s, tcase_create("load_target_lists"), load_target_lists);
    add(s, tcase_create("update_with_autoscaling_only"), update_with_autoscaling_only);
    add(s, tcase_create("refuse_autoscaling_windows"), refuse_autoscaling_windows);
    add(s, tcase_create("refuse_load_targets"), refuse_load_targets);
    return s;
}

"""The vendors the catalog gained for real applications (issue 14), each with examples that must
and must not match. The pack schema has examples on rules only, so the catalog's examples live
here: real snippets run through the whole pipeline, as a scan sees them, and model ids through
the same extraction. Names, hosts and variables were checked against each SDK's distribution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.audit import Audit
from auditor.config import load_config
from auditor.packs import load_rules
from auditor.pipeline import run_audit

RULESET = load_rules()

# Each case: a snippet; the records it must produce (every given field equal); the records it
# must not produce; and (rule, vendor) findings it must not raise.
Case = dict[str, Any]
DETECTS: dict[str, Case] = {
    "cerebras": {
        "source": "import os\nfrom cerebras.cloud.sdk import Cerebras\n\n"
        "client = Cerebras(api_key=os.environ.get('CEREBRAS_API_KEY'))\n"
        "client.chat.completions.create(model='llama3.1-8b', messages=[])\n",
        "present": [
            {"kind": "import", "name": "cerebras.cloud.sdk", "vendor": "Cerebras"},
            {"kind": "client", "name": "cerebras.cloud.sdk.Cerebras", "vendor": "Cerebras"},
            {"kind": "call", "call": "chat.completions.create", "vendor": "Cerebras"},
            {"kind": "env", "name": "CEREBRAS_API_KEY", "vendor": "Cerebras"},
        ],
    },
    "cerebras-langchain": {
        "source": "from langchain_cerebras import ChatCerebras\n\nllm = ChatCerebras(model='llama3.1-8b')\n",
        "present": [{"kind": "client", "name": "langchain_cerebras.ChatCerebras", "vendor": "Cerebras"}],
    },
    "oracle": {
        "source": "import oci\nfrom oci.generative_ai_inference import GenerativeAiInferenceClient\n\n"
        "ENDPOINT = 'https://inference.generativeai.us-chicago-1.oci.oraclecloud.com'\n"
        "client = GenerativeAiInferenceClient(config=oci.config.from_file(), service_endpoint=ENDPOINT)\n",
        "present": [
            {"kind": "import", "name": "oci.generative_ai_inference", "vendor": "Oracle"},
            {
                "kind": "client",
                "name": "oci.generative_ai_inference.GenerativeAiInferenceClient",
                "vendor": "Oracle",
                "product": "oci-generative-ai",
            },
            {"kind": "endpoint", "name": "inference.generativeai.us-chicago-1.oci.oraclecloud.com", "vendor": "Oracle"},
        ],
    },
    "oracle-langchain": {
        "source": "import os\nfrom langchain_oci import ChatOCIGenAI\n\n"
        "llm = ChatOCIGenAI(model_id='cohere.command-r-plus', compartment_id=os.environ['OCI_COMPARTMENT_ID'])\n",
        "present": [
            {"kind": "client", "name": "langchain_oci.ChatOCIGenAI", "vendor": "Oracle"},
            {"kind": "env", "name": "OCI_COMPARTMENT_ID", "vendor": "Oracle"},
        ],
    },
    "vercel": {
        "source": "import os\nfrom openai import OpenAI\n\n"
        "client = OpenAI(base_url='https://ai-gateway.vercel.sh/v1', api_key=os.environ['AI_GATEWAY_API_KEY'])\n",
        "present": [
            {"kind": "compatible-api", "name": "openai.OpenAI", "vendor": "Vercel"},
            {"kind": "env", "name": "AI_GATEWAY_API_KEY", "vendor": "Vercel"},
        ],
    },
    "minimax": {
        "source": "import os\nimport anthropic\n\n"
        "client = anthropic.Anthropic(base_url='https://api.minimax.io/anthropic', api_key=os.getenv('MINIMAX_API_KEY'))\n",
        "present": [
            {"kind": "compatible-api", "name": "anthropic.Anthropic", "vendor": "MiniMax"},
            {"kind": "env", "name": "MINIMAX_API_KEY", "vendor": "MiniMax"},
        ],
    },
    "zai": {
        "source": "import os\nfrom zai import ZaiClient\n\nclient = ZaiClient(api_key=os.environ['ZAI_API_KEY'])\n"
        "client.chat.completions.create(model='glm-4.6', messages=[])\n",
        "present": [
            {"kind": "import", "name": "zai", "vendor": "Z.ai", "owner": "Zhipu AI"},
            {"kind": "client", "name": "zai.ZaiClient", "vendor": "Z.ai"},
            {"kind": "env", "name": "ZAI_API_KEY", "vendor": "Z.ai"},
            {"kind": "model-id", "name": "zai-glm", "value": "glm-4.6", "vendor": "Z.ai"},
        ],
    },
    "zhipuai": {
        "source": "from zhipuai import ZhipuAI\n\nclient = ZhipuAI(base_url='https://open.bigmodel.cn/api/paas/v4')\n",
        "present": [
            {"kind": "import", "name": "zhipuai", "vendor": "Z.ai"},
            {"kind": "client", "name": "zhipuai.ZhipuAI", "vendor": "Z.ai"},
            {"kind": "endpoint", "name": "open.bigmodel.cn", "vendor": "Z.ai"},
        ],
    },
    "baseten": {
        "source": "import os\nfrom baseten.client import InferenceClient\nfrom langchain_baseten import ChatBaseten\n\n"
        "client = InferenceClient(api_key=os.environ['BASETEN_API_KEY'])\nchat = ChatBaseten(model='m')\n",
        "present": [
            {"kind": "client", "name": "baseten.client.InferenceClient", "vendor": "Baseten"},
            {"kind": "client", "name": "langchain_baseten.ChatBaseten", "vendor": "Baseten"},
            {"kind": "env", "name": "BASETEN_API_KEY", "vendor": "Baseten"},
        ],
    },
    "e2b": {
        "source": "from e2b import Sandbox\nfrom e2b_code_interpreter import Sandbox as CodeSandbox\n\n"
        "sandbox = CodeSandbox.create()\nsandbox.run_code('1 + 1')\nagain = Sandbox(sandbox_id='abc')\n",
        "present": [
            {"kind": "import", "name": "e2b_code_interpreter", "vendor": "E2B", "layer": "cloud"},
            {"kind": "call", "name": "e2b_code_interpreter.Sandbox.create", "vendor": "E2B"},
            {"kind": "client", "name": "e2b.Sandbox", "vendor": "E2B"},
        ],
    },
    "moonshot": {
        "source": "import os\nfrom openai import OpenAI\n\n"
        "client = OpenAI(base_url='https://api.moonshot.cn/v1', api_key=os.getenv('MOONSHOT_API_KEY'))\n"
        "client.chat.completions.create(model='kimi-k2-0905-preview', messages=[])\n",
        "present": [
            {"kind": "compatible-api", "name": "openai.OpenAI", "vendor": "Moonshot AI"},
            {"kind": "env", "name": "MOONSHOT_API_KEY", "vendor": "Moonshot AI"},
            {"kind": "model-id", "name": "moonshot-kimi", "vendor": "Moonshot AI"},
        ],
    },
    "mcp": {
        "source": "from mcp import ClientSession\nfrom mcp.client.stdio import stdio_client\n\n\n"
        "async def tools(params):\n    async with stdio_client(params) as (read, write):\n"
        "        async with ClientSession(read, write) as session:\n"
        "            return await session.list_tools()\n",
        "present": [
            {"kind": "import", "name": "mcp", "vendor": "Model Context Protocol", "owner": "Linux Foundation"},
            {"kind": "client", "name": "mcp.ClientSession", "vendor": "Model Context Protocol"},
        ],
        "quiet": [
            ("sdk-import-outside-adapter", "Model Context Protocol"),
            ("client-outside-adapter", "Model Context Protocol"),
        ],
    },
    "local-runtimes": {
        "source": "from llama_cpp import Llama\nfrom sentence_transformers import SentenceTransformer\n"
        "from transformers import pipeline\nfrom vllm import LLM\n\n"
        "generate = pipeline('text-generation', model='gpt2')\nengine = LLM(model='facebook/opt-125m')\n"
        "local = Llama(model_path='model.gguf')\nembedder = SentenceTransformer('all-MiniLM-L6-v2')\n",
        "present": [
            {"kind": "import", "name": name, "vendor": "Self-hosted"}
            for name in ("llama_cpp", "sentence_transformers", "transformers", "vllm")
        ]
        + [
            {"kind": "client", "name": name, "vendor": "Self-hosted"}
            for name in ("vllm.LLM", "llama_cpp.Llama", "sentence_transformers.SentenceTransformer")
        ],
        "quiet": [
            ("sdk-import-outside-adapter", "Self-hosted"),
            ("client-outside-adapter", "Self-hosted"),
            ("single-model-vendor", "Self-hosted"),
        ],
    },
    "anthropic-foundry-and-mantle": {
        "source": "from anthropic import AsyncAnthropicBedrockMantle, AsyncAnthropicFoundry\n\n"
        "foundry = AsyncAnthropicFoundry(resource='my-resource')\n"
        "mantle = AsyncAnthropicBedrockMantle(aws_region='us-east-1')\n",
        "present": [
            {"kind": "client", "name": "anthropic.AsyncAnthropicFoundry", "vendor": "Anthropic", "host": "Microsoft"},
            {"kind": "client", "name": "anthropic.AsyncAnthropicBedrockMantle", "vendor": "Anthropic", "host": "AWS"},
        ],
    },
    "azure-ai-inference-env": {
        "source": "import os\n\nENDPOINT = os.environ['AZURE_AI_INFERENCE_ENDPOINT']\nKEY = os.getenv('AZURE_AI_CHAT_KEY')\n",
        "present": [
            {"kind": "env", "name": "AZURE_AI_INFERENCE_ENDPOINT", "vendor": "Microsoft"},
            {"kind": "env", "name": "AZURE_AI_CHAT_KEY", "vendor": "Microsoft"},
        ],
    },
    "fireworks": {
        "source": "from fireworks import Fireworks\n\nclient = Fireworks()\n"
        "client.supervised_fine_tuning_jobs.create(dataset='d')\nclient.deployments.create(base_model='m')\n"
        "client.chat.completions.create(model='accounts/fireworks/models/deepseek-v3', messages=[])\n",
        "present": [
            {"kind": "client", "name": "fireworks.Fireworks", "vendor": "Fireworks AI"},
            {"kind": "feature", "name": "fireworks-fine-tuning", "vendor": "Fireworks AI"},
            {"kind": "feature", "name": "fireworks-deployments", "vendor": "Fireworks AI"},
            {"kind": "model-id", "name": "fireworks-hosted", "vendor": "Fireworks AI"},
        ],
    },
    "together": {
        "source": "import os\nfrom together import Together\n\nclient = Together(api_key=os.environ['TOGETHERAI_API_KEY'])\n"
        "client.fine_tuning.create(training_file='file-1', model='m')\nclient.endpoints.create(model='m')\n",
        "present": [
            {"kind": "client", "name": "together.Together", "vendor": "Together AI"},
            {"kind": "env", "name": "TOGETHERAI_API_KEY", "vendor": "Together AI"},
            {"kind": "feature", "name": "together-fine-tuning", "vendor": "Together AI"},
            {"kind": "feature", "name": "together-dedicated-compute", "vendor": "Together AI"},
        ],
    },
}

# Code that looks like the vendor's but is not: none of `absent` may be recorded.
LOOKALIKES: dict[str, Case] = {
    "cerebras-docs-host": {
        "source": "from openai import OpenAI\n\nDOCS = 'https://inference-docs.cerebras.ai/api-reference'\n",
        "absent": [{"vendor": "Cerebras"}],
    },
    "oracle-object-storage": {  # the same `oci` SDK, another Oracle Cloud service
        "source": "import oci\n\nstore = oci.object_storage.ObjectStorageClient(oci.config.from_file())\n",
        "absent": [{"vendor": "Oracle"}],
    },
    "vercel-app-not-gateway": {
        "source": "import os\nfrom openai import OpenAI\n\nSTAGE = os.environ['VERCEL_ENV']\n"
        "client = OpenAI(base_url='https://my-app.vercel.app/api/v1')\n",
        "absent": [{"vendor": "Vercel"}],
    },
    "minimax-game-search": {  # the unrelated `minimax` distribution, and the algorithm's name
        "source": "from Minimax.minimax import Minimax\n\nsearch = Minimax()\nSTRATEGY = 'minimax'\n",
        "absent": [{"vendor": "MiniMax"}],
    },
    "zai-statistics-glm": {
        "source": "from statsmodels.api import GLM\n\nKIND = 'glm-binomial'\nmodel = GLM([1], [[1]])\n",
        "absent": [{"vendor": "Z.ai"}],
    },
    "baseten-docs-and-hf-client": {  # another SDK's InferenceClient; a documentation link
        "source": "from huggingface_hub import InferenceClient\n\nclient = InferenceClient()\n"
        "DOCS = 'https://docs.baseten.co/inference'\n",
        "absent": [{"vendor": "Baseten"}],
    },
    "e2b-website-and-baseten-sandbox": {
        "source": "import os\nfrom baseten.sandbox import SandboxClient\n\nclient = SandboxClient(api_key='k')\n"
        "DOCS = 'https://e2b.dev/docs'\nSIZE = os.environ['E2BIG']\n",
        "absent": [{"vendor": "E2B"}],
    },
    "moonshot-docs-and-cli": {
        "source": "DOCS = 'https://platform.moonshot.ai/docs'\nTOOL = 'kimi-cli'\n",
        "absent": [{"vendor": "Moonshot AI"}],
    },
    "mcp-connector-is-anthropic": {  # Anthropic's hosted MCP connector is Anthropic's feature
        "source": "import anthropic\n\nclient = anthropic.Anthropic()\n"
        "client.beta.messages.create(model='m', max_tokens=1, messages=[], mcp_servers=[])\n",
        "absent": [{"vendor": "Model Context Protocol"}],
    },
    "hosted-hugging-face-is-not-local": {
        "source": "from langchain_huggingface import HuggingFaceEndpoint\nfrom huggingface_hub import InferenceClient\n\n"
        "client = InferenceClient()\n",
        "absent": [{"vendor": "Self-hosted"}],
    },
    "azure-openai-is-not-foundry-claude": {
        "source": "from openai import AzureOpenAI\n\nclient = AzureOpenAI(azure_endpoint='https://x.openai.azure.com')\n",
        "absent": [{"vendor": "Anthropic"}],
    },
    "azure-storage-env": {
        "source": "import os\n\nCONNECTION = os.environ['AZURE_STORAGE_CONNECTION_STRING']\n",
        "absent": [{"kind": "env"}],
    },
    "fireworks-chat-is-not-a-feature": {
        "source": "from fireworks import Fireworks\n\nclient = Fireworks()\n"
        "client.chat.completions.create(model='m', messages=[])\nDATA = 'accounts/fireworks/datasets/my-data'\n",
        "absent": [{"kind": "feature"}, {"kind": "model-id"}],
    },
    "together-chat-is-not-a-feature": {
        "source": "from together import Together\n\nclient = Together()\nclient.chat.completions.create(model='m', messages=[])\n",
        "absent": [{"kind": "feature"}],
    },
}

# Model-id families: (vendor, ids that must be that family, strings that must be no model id).
# Open-weight families have no vendor: anyone can serve the weights.
MODEL_IDS: dict[str, tuple[str | None, list[str], list[str]]] = {
    "minimax": (
        "MiniMax",
        [
            "MiniMax-M2",
            "MiniMax-M2.5-lightning",
            "MiniMax-H3-Max",
            "MiniMax-M3",
            "speech-02-hd",
            "speech-2.6-turbo",
            "minimax/MiniMax-M2.1",
        ],
        [
            "minimax",
            "MiniMax",
            "MiniMaxAI",
            "MiniMax-Agent",
            "minimax-tree",
            "speech-recognition",
            "MINIMAX_API_KEY",
            "your-minimax-api-key",
        ],
    ),
    "minimax-open-weight": (None, ["MiniMaxAI/MiniMax-M2.5", "together_ai/MiniMaxAI/MiniMax-M3"], ["MiniMaxAI/"]),
    "moonshot-kimi": (
        "Moonshot AI",
        [
            "kimi-k2.5",
            "kimi-k2-0905-preview",
            "kimi-k3.1-pro-highspeed",
            "kimi-k2-5",
            "kimi-latest",
            "kimi-thinking-preview",
            "moonshot-v1-8k",
            "moonshot-v1-128k-vision-preview",
            "moonshot-v1-auto",
            "moonshot/kimi-k3",
            "moonshotai:kimi-k2.5",
        ],
        [
            "kimi",
            "kimi-cli",
            "kimi-code",
            "kimi-agent-sdk",
            "moonshot",
            "moonshotai",
            "moonshot-v1",
            "your-kimi-api-key",
        ],
    ),
    "moonshot-open-weight": (None, ["moonshotai/Kimi-K2-Instruct", "moonshotai/Kimi-K2.5"], ["moonshotai/kimi"]),
    "zai-glm": (
        "Z.ai",
        [
            "glm-4.6",
            "glm-4.5-air",
            "glm-4.5v",
            "glm-4-32b-0414-128k",
            "glm-5",
            "glm-5v-turbo",
            "glm-z1-air",
            "glm-latest",
            "zai/glm-4.7",
            "bigmodel/glm-5.3",
        ],
        ["glm", "glmnet", "glm-model", "glm-binomial", "glm_4", "glm-api-key", "zai-org", "Zhipu AI"],
    ),
    "zai-glm-open-weight": (None, ["zai-org/GLM-4.6", "baseten/zai-org/GLM-5"], ["zai-org/"]),
    "fireworks-hosted": (
        "Fireworks AI",
        [
            "accounts/fireworks/models/deepseek-v3",
            "accounts/fireworks/models/llama-v3p1-8b-instruct",
            "fireworks_ai/accounts/fireworks/models/glm-4p6",
        ],
        ["accounts/fireworks", "accounts/fireworks/models/", "accounts/fireworks/datasets/x", "fireworks-ai"],
    ),
}

NEW_VENDORS = {
    "Cerebras",
    "Oracle",
    "Vercel",
    "MiniMax",
    "Z.ai",
    "Baseten",
    "E2B",
    "Moonshot AI",
    "Model Context Protocol",
}
NEW_FEATURES = {"fireworks-fine-tuning", "fireworks-deployments", "together-fine-tuning", "together-dedicated-compute"}


def audit_of(root: Path, source: str) -> Audit:
    """The whole pipeline on a one-file project, as `lockaudit scan` would run it."""
    (root / "app.py").write_text(source, encoding="utf-8")
    loaded = load_config(root)
    return run_audit(root, loaded.config, RULESET, loaded.problems)


def matching(audit: Audit, fields: dict[str, Any]) -> list[Any]:
    return [r for r in audit.inventory if all(getattr(r, key) == value for key, value in fields.items())]


@pytest.mark.parametrize("case", sorted(DETECTS))
def test_the_vendor_is_detected(case: str, tmp_path: Path) -> None:
    audit = audit_of(tmp_path, DETECTS[case]["source"])
    for fields in DETECTS[case]["present"]:
        assert matching(audit, fields), f"{case}: no record {fields}"
    raised = {(f.rule_id, f.vendor) for f in audit.findings}
    assert raised.isdisjoint(DETECTS[case].get("quiet", ())), f"{case}: {sorted(raised)}"


@pytest.mark.parametrize("case", sorted(LOOKALIKES))
def test_a_lookalike_is_not_the_vendor(case: str, tmp_path: Path) -> None:
    audit = audit_of(tmp_path, LOOKALIKES[case]["source"])
    for fields in LOOKALIKES[case]["absent"]:
        found = [(r.kind, r.name, r.vendor) for r in matching(audit, fields)]
        assert not found, f"{case}: {found}"


@pytest.fixture(scope="module")
def model_records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Any]]:
    """Every example string, each on its own line in one module: value -> its model-id records."""
    values = sorted({v for _, must, must_not in MODEL_IDS.values() for v in (*must, *must_not)})
    audit = audit_of(tmp_path_factory.mktemp("models"), "".join(f"VALUE_{i} = {v!r}\n" for i, v in enumerate(values)))
    found: dict[str, list[Any]] = {v: [] for v in values}
    for record in audit.inventory:
        if record.kind == "model-id":
            found[record.value].append(record)
    return found


@pytest.mark.parametrize("family", sorted(MODEL_IDS))
def test_model_family_examples(family: str, model_records: dict[str, list[Any]]) -> None:
    vendor, must, must_not = MODEL_IDS[family]
    for value in must:
        # an open-weight id names no vendor (a routed one names its host): compare the family's
        assert [(r.name, None if "open_weight" in r.flags else r.vendor) for r in model_records[value]] == [
            (family, vendor)
        ], value
    for value in must_not:
        assert model_records[value] == [], value


def test_every_new_vendor_family_and_feature_has_examples() -> None:
    """A family, feature or vendor added without examples here fails, as a rule without examples does."""
    families = {m.family for m in RULESET.model_families if m.vendor in NEW_VENDORS | {"Fireworks AI"}}
    assert families == set(MODEL_IDS)
    detected = {fields.get("vendor") for case in DETECTS.values() for fields in case["present"]}
    avoided = {fields.get("vendor") for case in LOOKALIKES.values() for fields in case["absent"]}
    assert detected >= NEW_VENDORS and avoided >= NEW_VENDORS
    features = {
        fields["name"] for case in DETECTS.values() for fields in case["present"] if fields["kind"] == "feature"
    }
    assert features == NEW_FEATURES == {f.id for f in RULESET.features if f.pack in ("fireworks", "together")}

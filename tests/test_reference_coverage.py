"""The packs cover what the reference lists for each vendor (shared reference
`providers-and-toolchains.md`, Part A: A1 distributions and modules, A2 constructors,
A3 environment variables, A8 model-id examples). The lists below are transcribed from
that reference; a pack that loses one of them fails here."""

from __future__ import annotations

import pytest

from auditor.extract.python import model_family
from auditor.packs import load_rules

RULESET = load_rules()

REFERENCE = {
    "OpenAI": {
        "distributions": ["openai", "openai-agents", "tiktoken"],
        "modules": ["openai", "agents", "tiktoken", "tiktoken_ext", "langchain_openai", "llama_index.llms.openai"],
        "constructors": [
            "openai.OpenAI",
            "openai.AsyncOpenAI",
            "openai.AzureOpenAI",
            "openai.AsyncAzureOpenAI",
            "openai.BedrockOpenAI",
            "openai.AsyncBedrockOpenAI",
            "langchain_openai.ChatOpenAI",
            "langchain_openai.AzureChatOpenAI",
            "langchain_openai.OpenAIEmbeddings",
            "langchain_openai.AzureOpenAIEmbeddings",
            "llama_index.llms.openai.OpenAI",
            "llama_index.llms.openai.OpenAIResponses",
            "llama_index.llms.azure_openai.AzureOpenAI",
        ],
        "env": [
            "OPENAI_API_KEY",
            "OPENAI_ADMIN_KEY",
            "OPENAI_ORG_ID",
            "OPENAI_PROJECT_ID",
            "OPENAI_WEBHOOK_SECRET",
            "OPENAI_BASE_URL",
            "OPENAI_CUSTOM_HEADERS",
            "OPENAI_API_TYPE",
            "OPENAI_API_VERSION",
            "OPENAI_WEBSOCKET_BASE_URL",
            "OPENAI_DEFAULT_MODEL",
            "OPENAI_AGENTS_DISABLE_TRACING",
            "OPENAI_AGENTS_TRACE_INCLUDE_SENSITIVE_DATA",
            "TIKTOKEN_CACHE_DIR",
            "DATA_GYM_CACHE_DIR",
        ],
        "models": [
            "gpt-4o",
            "gpt-35-turbo",
            "gpt-4o-2024-08-06",
            "chatgpt-4o-latest",
            "o3",
            "o4-mini",
            "ft:gpt-4o-mini:openai:custom-model-name:7p4lURel",
            "text-embedding-3-small",
            "whisper-1",
            "dall-e-3",
            "gpt-image-1",
            "text-davinci-003",
            "gpt-oss-120b",
        ],
    },
    "Microsoft": {
        "distributions": [
            "azure-ai-inference",
            "azure-ai-projects",
            "azure-identity",
            "azure-ai-agents",
            "semantic-kernel",
            "agent-framework-core",
            "autogen-agentchat",
            "autogen-ext",
        ],
        "modules": [
            "azure.ai.inference",
            "azure.ai.projects",
            "azure.identity",
            "azure.ai.agents",
            "semantic_kernel",
            "agent_framework",
            "autogen_agentchat",
            "autogen_ext",
        ],
        "constructors": [
            "azure.ai.inference.ChatCompletionsClient",
            "azure.ai.inference.EmbeddingsClient",
            "azure.ai.inference.ImageEmbeddingsClient",
            "azure.ai.projects.AIProjectClient",
            "agent_framework.foundry.FoundryChatClient",
            "agent_framework.foundry.FoundryAgent",
        ],
        "env": [
            "AZURE_OPENAI_API_KEY",
            "AZURE_OPENAI_AD_TOKEN",
            "AZURE_OPENAI_ENDPOINT",
            "FOUNDRY_PROJECT_ENDPOINT",
            "FOUNDRY_MODEL_NAME",
            "AZURE_AI_PROJECT_ENDPOINT",
            "AZURE_AI_MODEL_DEPLOYMENT_NAME",
            "AZURE_TRACING_GEN_AI_CONTENT_RECORDING_ENABLED",
            "AZURE_AI_PROJECTS_CONSOLE_LOGGING",
            "AZURE_CLIENT_ID",
            "AZURE_TENANT_ID",
            "AZURE_CLIENT_SECRET",
            "AZURE_CLIENT_CERTIFICATE_PATH",
            "AZURE_FEDERATED_TOKEN_FILE",
            "AZURE_AUTHORITY_HOST",
            "AZURE_TOKEN_CREDENTIALS",
            "AZURE_API_KEY",
        ],
        "models": ["MAI-DS-R1", "MAI-Image-2.6", "Phi-4"],
    },
    "Anthropic": {
        "distributions": ["anthropic", "langchain-anthropic", "llama-index-llms-anthropic"],
        "modules": ["anthropic", "langchain_anthropic", "llama_index.llms.anthropic"],
        "constructors": [
            "anthropic.Anthropic",
            "anthropic.AsyncAnthropic",
            "anthropic.AnthropicBedrock",
            "anthropic.AsyncAnthropicBedrock",
            "anthropic.AnthropicBedrockMantle",
            "anthropic.AnthropicVertex",
            "anthropic.AsyncAnthropicVertex",
            "anthropic.AnthropicFoundry",
            "anthropic.AnthropicAWS",
            "anthropic.AnthropicGoogleCloud",
            "langchain_anthropic.ChatAnthropic",
            "llama_index.llms.anthropic.Anthropic",
        ],
        "env": [
            "ANTHROPIC_API_KEY",
            "ANTHROPIC_AUTH_TOKEN",
            "ANTHROPIC_BASE_URL",
            "ANTHROPIC_CUSTOM_HEADERS",
            "ANTHROPIC_WEBHOOK_SIGNING_KEY",
            "ANTHROPIC_VERTEX_PROJECT_ID",
            "ANTHROPIC_VERTEX_BASE_URL",
            "ANTHROPIC_BEDROCK_BASE_URL",
            "ANTHROPIC_BEDROCK_MANTLE_BASE_URL",
            "ANTHROPIC_FOUNDRY_API_KEY",
            "ANTHROPIC_FOUNDRY_RESOURCE",
            "ANTHROPIC_FOUNDRY_BASE_URL",
            "ANTHROPIC_AWS_BASE_URL",
            "ANTHROPIC_GOOGLE_CLOUD_PROJECT",
        ],
        "models": [
            "claude-3-5-sonnet-20241022",
            "claude-3-5-sonnet@20240620",
            "claude-sonnet-4-5",
            "claude-opus-4-1",
            "claude-3-opus-latest",
            "claude-2.1",
            "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
        ],
    },
    "Google": {
        "distributions": [
            "google-genai",
            "google-generativeai",
            "google-cloud-aiplatform",
            "langchain-google-genai",
            "langchain-google-vertexai",
        ],
        "modules": [
            "google.genai",
            "google.generativeai",
            "vertexai",
            "google.cloud.aiplatform",
            "agentplatform",
            "vertex_ray",
            "langchain_google_genai",
            "langchain_google_vertexai",
        ],
        "constructors": [
            "google.genai.Client",
            "google.generativeai.GenerativeModel",
            "vertexai.generative_models.GenerativeModel",
            "vertexai.Client",
            "agentplatform.Client",
            "langchain_google_genai.ChatGoogleGenerativeAI",
            "langchain_google_vertexai.ChatVertexAI",
            "langchain_google_vertexai.VertexAIEmbeddings",
        ],
        "env": [
            "GOOGLE_API_KEY",
            "GEMINI_API_KEY",
            "GOOGLE_GENAI_USE_ENTERPRISE",
            "GOOGLE_GENAI_USE_VERTEXAI",
            "GOOGLE_CLOUD_PROJECT",
            "GOOGLE_CLOUD_LOCATION",
            "GOOGLE_GEMINI_BASE_URL",
            "GOOGLE_VERTEX_BASE_URL",
            "GOOGLE_GENAI_API_VERSION",
            "GOOGLE_GENAI_API_KEY",
            "GOOGLE_GENAI_ACCESS_TOKEN",
            "GOOGLE_CLOUD_REGION",
            "CLOUD_ML_REGION",
            "GOOGLE_AI_API_KEY",
            "VERTEX_AI_PROJECT_ID",
        ],
        "models": [
            "gemini-2.5-flash",
            "models/gemini-1.5-pro",
            "text-embedding-004",
            "imagen-4.0-generate-001",
            "veo-3.0-generate-001",
            "gemma-3-27b-it",
            "publishers/google/models/gemini-2.0-flash",
        ],
    },
    "AWS": {
        "distributions": ["boto3", "langchain-aws"],
        "modules": ["langchain_aws"],
        "constructors": [
            "langchain_aws.ChatBedrock",
            "langchain_aws.ChatBedrockConverse",
            "langchain_aws.BedrockEmbeddings",
            "langchain_aws.AmazonKnowledgeBasesRetriever",
        ],
        "env": ["AWS_BEARER_TOKEN_BEDROCK", "AWS_BEDROCK_BASE_URL", "BEDROCK_MODEL_ID"],
        "models": ["arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc", "amazon.nova-pro-v1:0"],
    },
    "Mistral AI": {
        "distributions": ["mistralai"],
        "modules": ["mistralai.client", "mistralai.azure.client"],
        "constructors": ["mistralai.client.Mistral", "mistralai.Mistral", "mistralai.client.MistralClient"],
        "env": ["MISTRAL_API_KEY"],
        "models": ["mistral-large-latest", "codestral-2501", "pixtral-12b"],
    },
    "Cohere": {
        "distributions": ["cohere"],
        "modules": ["cohere"],
        "constructors": [
            "cohere.ClientV2",
            "cohere.Client",
            "cohere.AsyncClientV2",
            "cohere.BedrockClientV2",
            "cohere.SagemakerClient",
        ],
        "env": ["CO_API_KEY", "COHERE_API_KEY", "CO_API_URL"],
        "models": ["command-r-plus", "command-a-03-2025", "embed-english-v3.0", "rerank-v3.5"],
    },
    "Groq": {
        "distributions": ["groq"],
        "modules": ["groq"],
        "constructors": ["groq.Groq", "groq.AsyncGroq"],
        "env": ["GROQ_API_KEY", "GROQ_BASE_URL", "GROQ_CUSTOM_HEADERS"],
        "models": [],
    },
    "Together AI": {
        "distributions": ["together"],
        "modules": ["together"],
        "constructors": ["together.Together", "together.AsyncTogether"],
        "env": ["TOGETHER_API_KEY", "TOGETHER_BASE_URL", "TOGETHER_PROJECT_ID", "TOGETHER_CUSTOM_HEADERS"],
        "models": [],
    },
    "Ollama": {
        "distributions": ["ollama"],
        "modules": ["ollama"],
        "constructors": ["ollama.Client", "ollama.AsyncClient"],
        "env": ["OLLAMA_HOST", "OLLAMA_API_KEY"],
        "models": [],
    },
    "Hugging Face": {
        "distributions": ["huggingface-hub"],
        "modules": ["huggingface_hub"],
        "constructors": ["huggingface_hub.InferenceClient"],
        "env": ["HF_TOKEN", "HF_ENDPOINT", "HF_INFERENCE_ENDPOINT", "HUGGINGFACE_API_KEY"],
        "models": [],
    },
    "BerriAI": {
        "distributions": ["litellm"],
        "modules": ["litellm", "litellm_cli"],
        "constructors": ["litellm.Router"],
        "env": ["LITELLM_MASTER_KEY", "LITELLM_PROXY_API_KEY", "LITELLM_PROXY_API_BASE"],
        "models": [],
    },
    "LangChain": {
        "distributions": ["langchain", "langchain-core"],
        "modules": ["langchain", "langchain_core"],
        "constructors": [],
        "env": ["LANGCHAIN_TRACING_V2"],
        "models": [],
    },
    "LlamaIndex": {
        "distributions": ["llama-index-core"],
        "modules": ["llama_index.core"],
        "constructors": [],
        "env": [],
        "models": [],
    },
    "Instructor": {
        "distributions": ["instructor"],
        "modules": ["instructor"],
        "constructors": [],
        "env": [],
        "models": [],
    },
    "DSPy": {
        "distributions": ["dspy", "dspy-ai"],
        "modules": ["dspy"],
        "constructors": ["dspy.LM"],
        "env": [],
        "models": [],
    },
    "Pydantic": {
        "distributions": ["pydantic-ai", "pydantic-ai-slim"],
        "modules": ["pydantic_ai"],
        "constructors": ["pydantic_ai.Agent"],
        "env": [],
        "models": [],
    },
    "aisuite": {
        "distributions": ["aisuite"],
        "modules": ["aisuite"],
        "constructors": ["aisuite.Client"],
        "env": [],
        "models": [],
    },
    "Mozilla.ai": {
        "distributions": ["any-llm-sdk"],
        "modules": ["any_llm"],
        "constructors": [],
        "env": [],
        "models": [],
    },
    "Meta": {
        "distributions": [],
        "modules": [],
        "constructors": [],
        "env": ["LLAMA_API_KEY"],
        "models": ["llama3.2:3b", "meta-llama/Llama-3.3-70B-Instruct"],
    },
    "xAI": {"distributions": [], "modules": [], "constructors": [], "env": [], "models": ["grok-3-beta"]},
    "DeepSeek": {"distributions": [], "modules": [], "constructors": [], "env": [], "models": ["deepseek-chat"]},
}
VENDORS = sorted(REFERENCE)


@pytest.mark.parametrize("vendor", VENDORS)
def test_pack_covers_the_reference(vendor: str) -> None:
    expected = REFERENCE[vendor]
    distributions = {d for p in RULESET.products if p.vendor == vendor for d in p.distributions}
    assert set(expected["distributions"]) - distributions == set()
    for module in expected["modules"]:
        product = RULESET.product_for_module(module)
        assert product is not None and product.vendor == vendor, module
    for name in expected["constructors"]:
        constructor = RULESET.constructor_for(name)
        assert constructor is not None and constructor.name == name, name
        assert vendor in (constructor.vendor, constructor.product.vendor), name
    for variable in expected["env"]:
        assert RULESET.env_vendor(variable) == vendor, variable
    detectors = RULESET.detectors()
    families = {m.family: m.vendor for m in RULESET.model_families}
    for model in expected["models"]:
        found = model_family(model, detectors)
        assert found is not None and families[found[0]] == vendor, model

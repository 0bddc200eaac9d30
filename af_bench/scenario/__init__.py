"""What a scenario is: its conditions, prompts, requests, the protocol that asks them and the reader of replies."""

"""WeCare NLU: training data, comune gazetteer, custom Rasa components, evaluation."""

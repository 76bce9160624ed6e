"""Figure builders by family (topic, cockpit, risk), all in the themes and with the helpers of `theme`."""
